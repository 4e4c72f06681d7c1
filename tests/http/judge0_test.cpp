// Judge0 CE's routes on the real Beast server with the fakes: ids, statuses, field errors,
// base64, fields, wait=true held by a watch (no thread), and batches.
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include <boost/json.hpp>

#include "http/codec.hpp"
#include "support/callback_receiver.hpp"
#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::HttpTestServer;

namespace {

result::RunResult finished(const std::string& id, result::Verdict verdict) {
  result::RunResult run;
  run.id = id;
  run.status = result::Status::done;
  run.verdict = verdict;
  run.exit_code = 0;
  run.stdout_data = "hello, world\n";
  run.time_ms = 12;
  run.wall_ms = 34;
  run.memory_kb = 3140;
  return run;
}

std::string submit(std::uint16_t port, const std::string& body) {
  Answer answer = test::post(port, "/submissions", body);
  INFO(answer.body);
  REQUIRE(answer.status == 201);
  return std::string(answer.json().at("token").as_string());
}

}  // namespace

TEST_CASE("judge0: languages carry Judge0's ids and our probed versions", "[http][judge0]") {
  HttpTestServer server;
  Answer languages = test::get(server.port(), "/languages");
  REQUIRE(languages.status == 200);
  // The fake serves Python and C: in Judge0's id order, with the fake's probed versions.
  CHECK(languages.json() == boost::json::parse(R"j([
    {"id":50,"name":"C (12.2.0)"},{"id":71,"name":"Python (3.11.2)"}])j"));
  Answer python = test::get(server.port(), "/languages/71");
  CHECK(python.json() == boost::json::parse(R"j({"id":71,"name":"Python (3.11.2)"})j"));
  CHECK(test::get(server.port(), "/languages/62").status == 404);  // Java: not served here
}

TEST_CASE("judge0: statuses are Judge0's fourteen", "[http][judge0]") {
  HttpTestServer server;
  Answer statuses = test::get(server.port(), "/statuses");
  REQUIRE(statuses.status == 200);
  const boost::json::value listed = statuses.json();
  const auto& list = listed.as_array();
  REQUIRE(list.size() == 14);
  CHECK(list[0] == boost::json::parse(R"({"id":1,"description":"In Queue"})"));
  CHECK(list[3] == boost::json::parse(R"({"id":4,"description":"Wrong Answer"})"));
  CHECK(list[10] == boost::json::parse(R"j({"id":11,"description":"Runtime Error (NZEC)"})j"));
  CHECK(list[13] == boost::json::parse(R"({"id":14,"description":"Exec Format Error"})"));
}

TEST_CASE("judge0: a submission answers its token, then Judge0's default fields",
          "[http][judge0]") {
  HttpTestServer server;
  const std::string token = submit(
      server.port(),
      R"j({"source_code":"print(input())","language_id":71,"stdin":"x","cpu_time_limit":2.5,)j"
      R"("memory_limit":128000})");
  CHECK(server.submissions.get(token)->limits.cpu_ms == 2500);
  CHECK(server.submissions.get(token)->limits.memory_kb == 128000);
  Answer queued = test::get(server.port(), "/submissions/" + token);
  REQUIRE(queued.status == 200);
  CHECK(queued.json().at("status") == boost::json::parse(R"({"id":1,"description":"In Queue"})"));
  CHECK(queued.json().at("time").is_null());

  server.results.set(finished(token, result::Verdict::ok));
  Answer done = test::get(server.port(), "/submissions/" + token);
  CHECK(done.json() == boost::json::parse(R"({"stdout":"hello, world\n","time":"0.012",
    "memory":3140,"stderr":null,"token":")" +
                                          token + R"(","compile_output":null,
    "message":null,"status":{"id":3,"description":"Accepted"}})"));
  Answer picked =
      test::get(server.port(), "/submissions/" + token +
                                   "?fields=stdout,language_id,wall_time&base64_encoded=true");
  CHECK(picked.json() ==
        boost::json::parse(
            R"({"stdout":"aGVsbG8sIHdvcmxkCg==","language_id":71,"wall_time":"0.034"})"));
  CHECK(test::get(server.port(), "/submissions/" + token + "?fields=*").json().as_object().size() >
        15);
}

TEST_CASE("judge0: a bad submission answers 422 with Judge0's field errors", "[http][judge0]") {
  HttpTestServer server;
  Answer unknown =
      test::post(server.port(), "/submissions", R"({"source_code":"x","language_id":999})");
  CHECK(unknown.status == 422);
  CHECK(unknown.json() ==
        boost::json::parse(R"({"language_id":["language with id 999 doesn't exist"]})"));
  Answer blank = test::post(server.port(), "/submissions", R"({"language_id":71})");
  CHECK(blank.status == 422);
  CHECK(blank.json() == boost::json::parse(R"({"source_code":["can't be blank"]})"));
  Answer bad64 = test::post(server.port(), "/submissions?base64_encoded=true",
                            R"({"source_code":"!!","language_id":71})");
  CHECK(bad64.json() == boost::json::parse(R"({"source_code":["is not valid base64"]})"));
  for (const char* body : {"{\"source_code\":", "[1]"}) {
    for (const char* target : {"/submissions", "/submissions/batch"}) {
      Answer broken = test::post(server.port(), target, body);
      CHECK(broken.status == 400);
      CHECK(broken.json().at("error").is_string());
    }
  }
  CHECK(server.submissions.size() == 0);
}

TEST_CASE("judge0: wait=true answers the finished submission, base64 in and out",
          "[http][judge0]") {
  HttpTestServer server;
  std::promise<std::string> submitted;
  server.submissions.hand_off_with([&](const std::string& id) {
    submitted.set_value(id);
    return server.results.enqueue(id);  // as the real service does: the watch finds it queued
  });
  auto answer = std::async(std::launch::async, [&] {
    return test::post(server.port(), "/submissions?wait=true&base64_encoded=true",
                      R"({"source_code":"cHJpbnQoMSk=","language_id":71})");
  });
  const std::string token = submitted.get_future().get();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the watch begin
  CHECK(server.submissions.get(token)->code == "print(1)");
  auto run = finished(token, result::Verdict::runtime_error);
  run.exit_code = 1;
  server.results.set(run);
  Answer done = answer.get();
  REQUIRE(done.status == 201);
  CHECK(done.json().at("stdout") == "aGVsbG8sIHdvcmxkCg==");
  CHECK(done.json().at("message") == "Exited with error status 1");
  CHECK(done.json().at("status") ==
        boost::json::parse(R"j({"id":11,"description":"Runtime Error (NZEC)"})j"));
}

TEST_CASE("judge0: a batch submits each and answers tokens or field errors", "[http][judge0]") {
  HttpTestServer server;
  Answer batch = test::post(server.port(), "/submissions/batch", R"j({"submissions":[
    {"source_code":"print(1)","language_id":71},{"source_code":"x","language_id":1}]})j");
  REQUIRE(batch.status == 201);
  const boost::json::value answered = batch.json();
  const auto& answers = answered.as_array();
  REQUIRE(answers.size() == 2);
  const std::string token(answers[0].at("token").as_string());
  CHECK(answers[1] ==
        boost::json::parse(R"({"language_id":["language with id 1 doesn't exist"]})"));
  server.results.set(finished(token, result::Verdict::time_limit_exceeded));
  Answer found =
      test::get(server.port(), "/submissions/batch?tokens=" + token + ",nosuchtoken&fields=status");
  REQUIRE(found.status == 200);
  CHECK(found.json() ==
        boost::json::parse(
            R"({"submissions":[{"status":{"id":5,"description":"Time Limit Exceeded"}},null]})"));
}

TEST_CASE("judge0: expected_output is kept and a differing run is Wrong Answer", "[http][judge0]") {
  HttpTestServer server;
  const std::string token =
      submit(server.port(), R"({"source_code":"x","language_id":50,"expected_output":"42\n"})");
  CHECK(server.submissions.get(token)->expected_stdout == "42\n");
  server.results.set(finished(token, result::Verdict::wrong_answer));
  Answer done =
      test::get(server.port(), "/submissions/" + token + "?fields=status,expected_output");
  CHECK(done.json() == boost::json::parse(R"({"status":{"id":4,"description":"Wrong Answer"},
    "expected_output":"42\n"})"));
}

namespace {

constexpr std::string_view kToken = "a-judge0-token-of-some-length";

/// A server whose submissions reach the fake result service as queued runs, as in `ide serve`.
void enqueue_on_submit(HttpTestServer& server) {
  server.submissions.hand_off_with([&server](const std::string& id) {
    return server.results.enqueue(id);
  });
}

http::CallbackSettings callbacks_to(const test::CallbackReceiver& receiver, unsigned tries = 3) {
  return {.allowed_hosts = {receiver.host()},
          .max_tries = tries,
          .timeout = std::chrono::milliseconds(2'000),
          .first_retry_delay = std::chrono::milliseconds(10)};
}

std::string with_callback(const std::string& url) {
  return R"j({"source_code":"print(1)","language_id":71,"callback_url":")j" + url + R"("})";
}

/// Waits until `server` has no callback left to send (or 10 s pass).
bool callbacks_settle(const HttpTestServer& server) {
  for (int i = 0; i < 1000 && server.callbacks->pending() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return server.callbacks->pending() == 0;
}

}  // namespace

TEST_CASE("judge0: with auth tokens every route needs X-Auth-Token, as header or parameter",
          "[http][judge0]") {
  HttpTestServer server(
      test::Judge0Setup{.auth_tokens = {"another-token-entirely", std::string(kToken)}});
  const auto get_with = [&](std::string_view target, std::string token) {
    return test::Connection(server.port())
        .request(boost::beast::http::verb::get, target, "", {{"X-Auth-Token", std::move(token)}});
  };
  Answer refused = test::get(server.port(), "/languages");
  CHECK(refused.status == 401);
  CHECK(refused.json().at("error").is_string());
  CHECK(get_with("/statuses", "a-judge0-token-of-some-lengtX").status == 401);
  CHECK(get_with("/statuses", "").status == 401);
  CHECK(get_with("/languages", std::string(kToken)).status == 200);
  CHECK(get_with("/statuses", "another-token-entirely").status == 200);
  CHECK(test::get(server.port(), "/statuses?X-Auth-Token=" + std::string(kToken)).status == 200);
  CHECK(test::post(server.port(), "/submissions", R"({"source_code":"x","language_id":71})")
            .status == 401);
  CHECK(test::post(server.port(), "/authenticate", "").status == 401);
  CHECK(test::post(server.port(), "/authenticate?X-Auth-Token=" + std::string(kToken), "")
            .status == 200);
  // Our own API and Piston's are not Judge0's: the token does not guard them.
  CHECK(test::get(server.port(), "/api/v1/languages").status == 200);
  CHECK(test::get(server.port(), "/api/v2/runtimes").status == 200);
}

TEST_CASE("judge0: callback_url gets Judge0's default fields in base64 by PUT once done",
          "[http][judge0]") {
  test::CallbackReceiver receiver;
  HttpTestServer server(test::Judge0Setup{.callbacks = callbacks_to(receiver)});
  enqueue_on_submit(server);
  const std::string token = submit(server.port(), with_callback(receiver.url("a") + "?a=1"));
  CHECK(server.callbacks->pending() == 1);
  CHECK(receiver.wait_for(1, std::chrono::milliseconds(200)).empty());  // not before it is done
  server.results.set(finished(token, result::Verdict::ok));
  const auto received = receiver.wait_for(1);
  REQUIRE(received.size() == 1);
  CHECK(received[0].path == "/callbacks/a");
  CHECK(received[0].query_a == "1");
  CHECK(boost::json::parse(received[0].body) ==
        boost::json::parse(R"({"stdout":"aGVsbG8sIHdvcmxkCg==","time":"0.012","memory":3140,
          "stderr":null,"token":")" + token + R"(","compile_output":null,"message":null,
          "status":{"id":3,"description":"Accepted"}})"));
  CHECK(callbacks_settle(server));
}

TEST_CASE("judge0: a callback is tried again while the receiver fails, max_tries in all",
          "[http][judge0]") {
  test::CallbackReceiver receiver({500, 503, 500, 500});
  HttpTestServer server(test::Judge0Setup{.callbacks = callbacks_to(receiver, 3)});
  enqueue_on_submit(server);
  const std::string first = submit(server.port(), with_callback(receiver.url("first")));
  server.results.set(finished(first, result::Verdict::ok));
  CHECK(receiver.wait_for(3).size() == 3);
  REQUIRE(callbacks_settle(server));
  // Given up after three: the fourth PUT is the next callback's, answered 500 then 204.
  const std::string second = submit(server.port(), with_callback(receiver.url("second")));
  server.results.set(finished(second, result::Verdict::ok));
  const auto received = receiver.wait_for(5);
  REQUIRE(received.size() == 5);
  CHECK(received[3].path == "/callbacks/second");
  CHECK(received[4].path == "/callbacks/second");
  REQUIRE(callbacks_settle(server));
  CHECK(receiver.wait_for(6, std::chrono::milliseconds(300)).size() == 5);  // 204: done
}

TEST_CASE("judge0: callback_url is refused with 422 unless its host is allowed",
          "[http][judge0]") {
  const auto refusal = [](std::uint16_t port, const std::string& url) {
    Answer answer = test::post(port, "/submissions", with_callback(url));
    INFO(answer.body);
    CHECK(answer.status == 422);
    return std::string(answer.json().at("callback_url").at(0).as_string());
  };
  HttpTestServer off;
  CHECK(refusal(off.port(), "http://127.0.0.1:9/x") == "setting callback is not allowed");

  test::CallbackReceiver receiver;
  HttpTestServer server(test::Judge0Setup{.callbacks = callbacks_to(receiver)});
  CHECK(refusal(server.port(), "http://127.0.0.2:" + std::to_string(receiver.port()) + "/x") ==
        "host 127.0.0.2 is not one callbacks may be sent to");
  CHECK(refusal(server.port(), "http://127.0.0.1:1/x") ==
        "host 127.0.0.1 is not one callbacks may be sent to");
  CHECK(refusal(server.port(), "https://" + receiver.host() + "/x") == "must be an http:// URL");
  CHECK(refusal(server.port(), "http://me:secret@" + receiver.host() + "/x") ==
        "must not carry a user name or password");
  CHECK(refusal(server.port(), "not a url") == "must be an http:// URL");
  CHECK(server.submissions.size() == 0);  // nothing was kept
  CHECK(server.callbacks->pending() == 0);
  // An empty callback_url is none, as in Judge0.
  CHECK(test::post(server.port(), "/submissions", with_callback("")).status == 201);
}

TEST_CASE("judge0: callbacks beyond max_pending refuse the submit with 503, keeping nothing",
          "[http][judge0]") {
  test::CallbackReceiver receiver;
  http::CallbackSettings settings = callbacks_to(receiver);
  settings.max_pending = 1;
  HttpTestServer server(test::Judge0Setup{.callbacks = settings});
  enqueue_on_submit(server);
  const std::string token = submit(server.port(), with_callback(receiver.url("a")));
  Answer refused = test::post(server.port(), "/submissions", with_callback(receiver.url("b")));
  CHECK(refused.status == 503);
  CHECK(server.submissions.size() == 1);
  server.results.set(finished(token, result::Verdict::ok));
  CHECK(receiver.wait_for(1).size() == 1);
  REQUIRE(callbacks_settle(server));
  CHECK(test::post(server.port(), "/submissions", with_callback(receiver.url("b"))).status == 201);
}
