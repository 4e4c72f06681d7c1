// Done results over HTTP: ETag and If-None-Match (304), Cache-Control, answers from the cache
// byte-identical per encoding, purges forgotten, and many readers of one cached body within a
// small max_unsent budget.
#include <catch2/catch.hpp>

#include <future>
#include <vector>

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::HttpTestServer;
using Verb = boost::beast::http::verb;

namespace {

std::string submit(std::uint16_t port) {
  boost::json::object body{{"language", "python"}, {"code", "print(1)"}};
  Answer answer = test::post(port, "/api/v1/submissions", boost::json::serialize(body));
  REQUIRE(answer.status == 202);
  return std::string(answer.json().at("id").as_string());
}

result::RunResult done_run(const std::string& id, std::string out = "hello\n") {
  result::RunResult run;
  run.id = id;
  run.status = result::Status::done;
  run.verdict = result::Verdict::ok;
  run.exit_code = 0;
  run.stdout_data = std::move(out);
  run.created_at = core::from_unix_ms(1'700'000'000'000);
  run.finished_at = core::from_unix_ms(1'700'000'001'000);
  return run;
}

Answer get_with(std::uint16_t port, const std::string& target, const std::string& if_none_match) {
  return test::Connection(port).request(Verb::get, target, "", {{"If-None-Match", if_none_match}});
}

}  // namespace

TEST_CASE("a done result has a strong ETag and If-None-Match answers 304 without a body",
          "[http][result_cache]") {
  HttpTestServer server;
  const std::string id = submit(server.port());
  server.results.set(done_run(id));
  const std::string target = "/api/v1/submissions/" + id + "/result";
  Answer first = test::get(server.port(), target);
  REQUIRE(first.status == 200);
  const std::string etag = first.header("etag");
  REQUIRE(etag.size() > 2);
  CHECK(etag.front() == '"');
  CHECK(etag.substr(0, 2) != "W/");
  CHECK_THAT(first.header("cache-control"), Catch::Contains("immutable"));

  for (const std::string& tags : {etag, "\"other\", " + etag, "W/" + etag, std::string("*")}) {
    INFO(tags);
    Answer same = get_with(server.port(), target, tags);
    CHECK(same.status == 304);
    CHECK(same.body.empty());
    CHECK(same.header("etag") == etag);
  }
  Answer other = get_with(server.port(), target, "\"other\"");
  CHECK(other.status == 200);
  CHECK(other.body == first.body);
  Answer base64 = test::get(server.port(), target + "?base64=true");
  CHECK(base64.header("etag") != etag);
}

TEST_CASE("queued and running answers carry no ETag and are not cached", "[http][result_cache]") {
  HttpTestServer server;
  const std::string id = submit(server.port());
  const std::string target = "/api/v1/submissions/" + id + "/result";
  Answer queued = test::get(server.port(), target);
  CHECK(queued.json().at("status") == "queued");
  CHECK(queued.header("etag").empty());
  CHECK(queued.header("cache-control") == "no-store");
  server.results.set_status(id, result::Status::running);
  Answer running = test::get(server.port(), target);
  CHECK(running.json().at("status") == "running");
  CHECK(running.header("etag").empty());
  CHECK(running.header("cache-control") == "no-store");
  CHECK(server.result_cache.bytes() == 0);
  server.results.set(done_run(id));
  CHECK(test::get(server.port(), target).json().at("status") == "done");
}

TEST_CASE("a cached result is served byte-identical in both encodings", "[http][result_cache]") {
  HttpTestServer server;
  const std::string id = submit(server.port());
  result::RunResult run = done_run(id, std::string(100'000, 'x') + "\n");
  server.results.set(run);
  for (const char* query : {"", "?base64=true"}) {
    INFO(query);
    const std::string target = "/api/v1/submissions/" + id + "/result" + query;
    Answer encoded = test::get(server.port(), target);
    REQUIRE(encoded.status == 200);
    // The fake now answers something else: a cached answer does not ask it again.
    result::RunResult changed = run;
    changed.stdout_data = "changed";
    server.results.set(changed);
    Answer cached = test::get(server.port(), target);
    CHECK(cached.status == 200);
    CHECK(cached.body == encoded.body);
    CHECK(cached.header("etag") == encoded.header("etag"));
    server.results.set(run);
  }
  CHECK(server.result_cache.bytes() > 200'000);
}

TEST_CASE("a result the cache forgot after a purge answers 404", "[http][result_cache]") {
  HttpTestServer server;
  const std::string id = submit(server.port());
  server.results.set(done_run(id));
  const std::string target = "/api/v1/submissions/" + id + "/result";
  REQUIRE(test::get(server.port(), target).status == 200);
  REQUIRE(server.results.purge({id}));
  REQUIRE(server.submissions.purge({id}));
  server.result_cache.forget({id});  // what `ide serve` wires to retention's on_results_purged
  CHECK(test::get(server.port(), target).status == 404);
}

TEST_CASE("many readers of one big cached body all get 200 within a small max_unsent",
          "[http][result_cache]") {
  auto options = HttpTestServer::small_options();
  options.max_unsent_bytes = 1024 * 1024;
  // 32 readers from one address, while the earlier requests' connections may still be closing:
  // the per-client connection cap is not what this tests.
  options.max_connections_per_client = 0;
  HttpTestServer server(options);
  const std::string id = submit(server.port());
  server.results.set(done_run(id, std::string(1'500'000, 'x')));
  const std::string target = "/api/v1/submissions/" + id + "/result";
  const Answer first = test::get(server.port(), target);
  REQUIRE(first.status == 200);

  std::vector<std::unique_ptr<test::Connection>> connections;
  for (int i = 0; i < 32; ++i) connections.push_back(std::make_unique<test::Connection>(server.port()));
  std::vector<std::future<Answer>> answers;
  for (auto& connection : connections) {
    answers.push_back(std::async(std::launch::async, [&connection, &target] {
      return connection->request(Verb::get, target);
    }));
  }
  for (auto& answer : answers) {
    const Answer got = answer.get();
    CHECK(got.status == 200);
    CHECK(got.body.size() == first.body.size());
  }
}
