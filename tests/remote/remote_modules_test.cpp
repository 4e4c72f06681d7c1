// The remote clients against the real modules behind the real server's internal routes: every
// method of the five interfaces round-trips (a class's list paged and filtered too), the
// modules' error codes survive the trip, the token is required, a module not hosted is 404, and
// watch_result answers and can be cancelled.
#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "http/http_client.hpp"
#include "remote_support.hpp"

using namespace std::chrono_literals;
using ide::core::ErrorCode;

namespace {

// Bytes that are not UTF-8, a NUL and text: what must cross byte-exact.
const std::string kBinary = std::string("a\0b\xff\xfe\n", 6) + "é";

struct Clients {
  explicit Clients(const std::string& url)
      : submissions(ide::test::transport_to(url, "submission")),
        results(ide::test::transport_to(url, "result")),
        urls(ide::test::transport_to(url, "url")),
        problems(ide::test::transport_to(url, "problem")),
        access(ide::test::transport_to(url, "access")) {}
  ide::remote::RemoteSubmissionService submissions;
  ide::remote::RemoteResultService results;
  ide::remote::RemoteUrlService urls;
  ide::remote::RemoteProblemService problems;
  ide::remote::RemoteAccessService access;
};

ide::core::RequestedLimits cpu_limit(std::int64_t cpu_ms) {
  ide::core::RequestedLimits limits;
  limits.cpu_ms = cpu_ms;
  return limits;
}

std::string submit(Clients& clients, std::string code, std::string stdin_data = "") {
  auto id = clients.submissions.submit_code({.language = "bash",
                                             .code = std::move(code),
                                             .stdin_data = std::move(stdin_data),
                                             .limits = {}});
  REQUIRE(id);
  return *id;
}

}  // namespace

TEST_CASE("every SubmissionService method round-trips", "[remote]") {
  ide::test::InternalServer server;
  Clients clients(server.url());
  auto id = clients.submissions.submit_code({.language = "bash",
                                             .code = "cat # " + kBinary,
                                             .stdin_data = kBinary,
                                             .limits = cpu_limit(1000)});
  REQUIRE(id);
  auto got = clients.submissions.get(*id);
  REQUIRE(got);
  CHECK(got->code == "cat # " + kBinary);
  CHECK(got->stdin_data == kBinary);
  CHECK(got->limits.cpu_ms == 1000);
  CHECK_FALSE(got->limits.wall_ms);
  auto local = server.local_submissions().get(*id);
  REQUIRE(local);
  CHECK(got->created_at == local->created_at);

  CHECK(clients.submissions.exists(*id).value());
  CHECK_FALSE(clients.submissions.exists("nope").value());
  auto page = clients.submissions.list_created_before(got->created_at + 1ms, 10, "");
  REQUIRE(page);
  CHECK(page->ids == std::vector<std::string>{*id});
  auto none = clients.submissions.list_created_before(got->created_at, 10, "");
  REQUIRE(none);
  CHECK(none->ids.empty());

  ide::test::wait_done(clients.results, *id);
  CHECK(clients.submissions.purge({*id, "unknown"}).value() == 1);
  CHECK(clients.submissions.get(*id).error().code == ErrorCode::not_found);
}

TEST_CASE("a class's submissions are listed over the internal API, paged and filtered",
          "[remote]") {
  ide::test::InternalServer server;
  Clients clients(server.url());
  std::set<std::string> ids;
  for (const std::string student : {"ann", "bob", "ann"}) {
    auto id = clients.submissions.submit_code(
        {.language = "bash", .code = "true", .stdin_data = "", .limits = {},
         .class_id = "class-a", .student = student});
    REQUIRE(id);
    ids.insert(*id);
    CHECK(clients.submissions.get(*id)->student == student);
  }
  submit(clients, "true");  // anonymous: not listed

  const ide::submission::ClassSubmissionQuery first_query{.class_id = "class-a", .limit = 2};
  auto first = clients.submissions.list_class_submissions(first_query);
  REQUIRE(first);
  auto local = server.local_submissions().list_class_submissions(first_query);
  REQUIRE(local);
  REQUIRE(first->submissions.size() == 2);
  CHECK(first->next == local->next);
  CHECK(first->submissions[0].id == local->submissions[0].id);
  CHECK(first->submissions[0].created_at == local->submissions[0].created_at);
  CHECK(first->submissions[0].language == "bash");
  auto second = clients.submissions.list_class_submissions(
      {.class_id = "class-a", .limit = 2, .after = first->next});
  REQUIRE(second);
  REQUIRE(second->submissions.size() == 1);
  CHECK(second->next.empty());
  std::set<std::string> listed = {first->submissions[0].id, first->submissions[1].id,
                                  second->submissions[0].id};
  CHECK(listed == ids);

  auto ann = clients.submissions.list_class_submissions({.class_id = "class-a", .student = "ann"});
  REQUIRE(ann);
  CHECK(ann->submissions.size() == 2);
  CHECK(clients.submissions.list_class_submissions({.class_id = "class-a", .limit = 0})
            .error()
            .code == ErrorCode::invalid_argument);
  CHECK(clients.submissions.list_class_submissions({.class_id = "class-a", .after = "bad"})
            .error()
            .code == ErrorCode::invalid_argument);
  CHECK(clients.submissions
            .submit_code({.language = "bash", .code = "true", .stdin_data = "", .limits = {},
                          .student = "ann"})
            .error()
            .code == ErrorCode::invalid_argument);
}

TEST_CASE("every ResultService method round-trips, binary outputs included", "[remote]") {
  ide::test::InternalServer server;
  Clients clients(server.url());
  const std::string id = submit(clients, "cat; echo err >&2; exit 3", kBinary);
  const ide::result::RunResult run = ide::test::wait_done(clients.results, id);
  CHECK(run.verdict == ide::result::Verdict::runtime_error);
  CHECK(run.exit_code == 3);
  CHECK_FALSE(run.signal);
  CHECK(run.stdout_data == kBinary);
  CHECK(run.stderr_data == "err\n");
  REQUIRE(run.finished_at);

  auto got = clients.results.get_result(id);
  REQUIRE(got);
  CHECK(got->stdout_data == kBinary);
  CHECK(got->finished_at == run.finished_at);
  CHECK(clients.results.enqueue(id));  // idempotent: changes nothing
  CHECK(clients.results.get_result(id)->status == ide::result::Status::done);

  auto languages = clients.results.languages();
  REQUIRE(languages);
  REQUIRE(languages->size() == 1);
  CHECK(languages->front().id == "bash");
  CHECK(clients.results.check_runnable("bash", cpu_limit(100)));
  auto stats = clients.results.queue_stats();
  REQUIRE(stats);
  CHECK(stats->queued == 0);
  CHECK_FALSE(stats->oldest_queued_age_ms);

  auto purged = clients.results.purge({id});
  REQUIRE(purged);
  CHECK(purged->purged == 1);
  CHECK(purged->skipped.empty());
  CHECK(clients.results.get_result(id).error().code == ErrorCode::not_found);
}

TEST_CASE("read_live and send_stdin round-trip, binary output included", "[remote][live]") {
  ide::test::InternalServer server;
  Clients clients(server.url());
  auto id = clients.submissions.submit_code(
      {.language = "bash",
       .code = "echo ready; read line; printf 'got %s\\n\\377' \"$line\"",
       .stdin_data = "",
       .limits = {},
       .interactive = true});
  REQUIRE(id);
  std::string seen;
  std::uint64_t offset = 0;
  bool sent = false;
  bool done = false;
  for (int i = 0; i < 120 && !done; ++i) {
    auto live = clients.results.read_live(*id, offset, 1s);
    REQUIRE(live);
    for (const auto& chunk : live->chunks) seen += chunk.bytes;
    offset = live->next_offset;
    done = live->done;
    if (!sent && seen.find("ready\n") != std::string::npos) {
      auto reply = clients.results.send_stdin(*id, "Ada\n", true);
      REQUIRE(reply);
      CHECK(*reply == ide::result::StdinReply::accepted);
      sent = true;
    }
  }
  REQUIRE(done);
  CHECK(seen == "ready\ngot Ada\n\xff");
  CHECK(ide::test::wait_done(clients.results, *id).stdout_data == seen);
  auto late = clients.results.send_stdin(*id, "x", false);
  REQUIRE(late);
  CHECK(*late == ide::result::StdinReply::ended);
  CHECK(clients.results.read_live("nope", 0, 0ms).error().code == ErrorCode::not_found);
}

TEST_CASE("every UrlService method round-trips", "[remote]") {
  ide::test::InternalServer server;
  Clients clients(server.url());
  const std::string id = submit(clients, "echo hi");
  auto first = clients.urls.generate_url(id);
  REQUIRE(first);
  CHECK(first->created);
  auto again = clients.urls.generate_url(id);
  REQUIRE(again);
  CHECK_FALSE(again->created);
  CHECK(again->slug == first->slug);
  CHECK(clients.urls.resolve(first->slug).value() == id);
  CHECK(clients.urls.shared_among({"other", id}).value() == std::vector<std::string>{id});
  CHECK(clients.urls.purge_submissions({id}).value() == 1);
  CHECK(clients.urls.resolve(first->slug).error().code == ErrorCode::not_found);
}

TEST_CASE("every ProblemService method round-trips, hidden tests and bytes included",
          "[remote]") {
  ide::test::InternalServer server;
  Clients clients(server.url());
  ide::problem::ProblemContent content{
      .title = "Echo \xc3\xa9",
      .statement = kBinary,
      .starter_code = {{"bash", kBinary}},
      .tests = {{.name = "seen", .stdin_data = kBinary, .expected_stdout = kBinary},
                {.name = "", .stdin_data = "x", .expected_stdout = "x", .cpu_ms = 300,
                 .hidden = true}},
      .limits = {.cpu_ms = 1000, .wall_ms = std::nullopt, .memory_kb = 65536},
      .compare = {.mode = ide::core::CompareMode::float_tokens, .epsilon = 0.5}};
  auto id = clients.problems.create(content);
  REQUIRE(id);
  auto got = clients.problems.get(*id);
  REQUIRE(got);
  CHECK(got->content.title == content.title);
  CHECK(got->content.statement == kBinary);
  CHECK(got->content.starter_code == content.starter_code);
  CHECK(got->content.limits.cpu_ms == 1000);
  CHECK_FALSE(got->content.limits.wall_ms);
  CHECK(got->content.compare.epsilon == 0.5);
  REQUIRE(got->content.tests.size() == 2);
  CHECK(got->content.tests[0].stdin_data == kBinary);
  CHECK(got->content.tests[1].hidden);
  CHECK(got->content.tests[1].cpu_ms == 300);

  content.title = "Renamed";
  REQUIRE(clients.problems.replace(*id, content));
  auto listed = clients.problems.list();
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK(listed->at(0).title == "Renamed");
  CHECK(listed->at(0).hidden_tests == 1);
  CHECK(listed->at(0).visible_tests == 1);
  CHECK(got->created_at == clients.problems.get(*id)->created_at);
  REQUIRE(clients.problems.remove(*id));
  CHECK(clients.problems.get(*id).error().code == ErrorCode::not_found);
  content.title.clear();
  CHECK(clients.problems.create(content).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("every AccessService method round-trips, roles and expiry included", "[remote]") {
  ide::test::InternalServer server;
  Clients clients(server.url());
  const auto expires_at = ide::core::from_unix_ms(4'102'444'800'123);
  auto issued = clients.access.create({.name = std::string("CS\0101 \xff", 8),
                                       .quota = {.submissions_per_hour = 30, .max_queued = 2},
                                       .expires_at = expires_at});
  REQUIRE(issued);
  CHECK(issued->token.name == std::string("CS\0101 \xff", 8));
  CHECK(issued->token.quota.submissions_per_hour == 30);
  CHECK(issued->token.quota.max_queued == 2);
  CHECK(issued->token.expires_at == expires_at);
  CHECK(issued->student_secret.starts_with("ide_cls_"));
  auto never = clients.access.create({.name = "never"});
  REQUIRE(never);
  CHECK_FALSE(never->token.expires_at);

  auto student = clients.access.authenticate(issued->student_secret);
  REQUIRE(student);
  CHECK(student->role == ide::access::Role::student);
  CHECK(student->token.id == issued->token.id);
  CHECK(clients.access.authenticate(issued->owner_secret)->role == ide::access::Role::owner);
  CHECK(clients.access.authenticate("ide_cls_nope").error().code == ErrorCode::not_found);

  auto listed = clients.access.list();
  REQUIRE(listed);
  REQUIRE(listed->size() == 2);
  CHECK(listed->at(0).id == issued->token.id);
  CHECK(listed->at(0).created_at == issued->token.created_at);
  CHECK(clients.access.get(never->token.id)->name == "never");
  REQUIRE(clients.access.revoke(issued->token.id));
  CHECK(clients.access.get(issued->token.id).error().code == ErrorCode::not_found);
  CHECK(clients.access.revoke(issued->token.id).error().code == ErrorCode::not_found);
  CHECK(clients.access.authenticate(issued->student_secret).error().code ==
        ErrorCode::not_found);
  CHECK(clients.access.create({.name = ""}).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("the modules' error codes survive the trip", "[remote]") {
  ide::test::InternalServer server;
  Clients clients(server.url());
  CHECK(clients.submissions.get("no-such-id").error().code == ErrorCode::not_found);
  CHECK(clients.results.get_result("no-such-id").error().code == ErrorCode::not_found);
  CHECK(clients.urls.generate_url("no-such-id").error().code == ErrorCode::not_found);
  CHECK(clients.urls.resolve("zzzzzzzz").error().code == ErrorCode::not_found);
  auto unknown = clients.submissions.submit_code(
      {.language = "cobol", .code = "x", .stdin_data = "", .limits = {}});
  CHECK(unknown.error().code == ErrorCode::unknown_language);
  CHECK(unknown.error().message.find("bash") != std::string::npos);
  CHECK(clients.results.check_runnable("bash", cpu_limit(10'000'000)).error().code ==
        ErrorCode::invalid_limits);
  CHECK(clients.submissions.list_created_before({}, 10, "not a cursor").error().code ==
        ErrorCode::invalid_argument);
}

TEST_CASE("the internal API needs the token and answers only for hosted modules", "[remote]") {
  ide::test::InternalServer server({.submission = false, .result = true, .url = false});
  auto client = ide::http::HttpClient::create(server.url());
  REQUIRE(client);

  auto anonymous = client->post("/internal/v1/result/languages", "{}");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(anonymous->body.find("\"unauthorized\"") != std::string::npos);

  ide::remote::RemoteResultService wrong_token(
      ide::test::transport_to(server.url(), "result", "wrong-token-wrong-token"));
  auto refused = wrong_token.languages();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::unavailable);
  CHECK(refused.error().message.find("refused the internal token") != std::string::npos);

  ide::remote::RemoteSubmissionService not_hosted(
      ide::test::transport_to(server.url(), "submission"));
  auto missing = not_hosted.exists("x");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::unavailable);
  CHECK(missing.error().message.find("404") != std::string::npos);

  ide::remote::RemoteResultService hosted(ide::test::transport_to(server.url(), "result"));
  CHECK(hosted.languages());
}

TEST_CASE("watch_result answers when the job finishes, and a cancelled watch stays silent",
          "[remote]") {
  ide::test::InternalServer server;
  Clients clients(server.url());
  const std::string slow = submit(clients, "sleep 1; echo done");
  const auto asked = std::chrono::steady_clock::now();
  auto run = ide::test::get_result(clients.results, slow, 20s);
  REQUIRE(run);
  CHECK(run->status == ide::result::Status::done);
  CHECK(run->stdout_data == "done\n");
  CHECK(std::chrono::steady_clock::now() - asked < 15s);

  const std::string slower = submit(clients, "sleep 2");
  std::atomic<int> calls{0};
  auto handle = clients.results.watch_result(
      slower, 500ms, [](std::function<void()> task) { task(); },
      [&calls](ide::core::Result<ide::result::RunResult>) { ++calls; });
  REQUIRE(handle);
  handle->cancel();
  std::this_thread::sleep_for(1500ms);
  CHECK(calls == 0);
}

TEST_CASE("a module that cannot be reached is unavailable, also to watch_result", "[remote]") {
  // A port nothing listens on: the server is started and stopped to find one.
  std::string url;
  { url = ide::test::InternalServer().url(); }
  ide::remote::RemoteResultService results(ide::test::transport_to(url, "result"));
  CHECK(results.queue_stats().error().code == ErrorCode::unavailable);
  auto run = ide::test::get_result(results, "id", 100ms);
  REQUIRE_FALSE(run);
  CHECK(run.error().code == ErrorCode::unavailable);
}
