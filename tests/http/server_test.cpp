// The real Beast server on a loopback port with in-memory fakes of the three modules: every
// route of SPEC section 3, every error of section 4 (400s naming the field, 404, 405 + Allow,
// 413 by Content-Length and chunked, 422, 429, 431, 503), long-polling, keep-alive, slow
// clients, connection limits, draining, and handlers that throw or never answer.
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "http/codec.hpp"
#include "http/errors.hpp"
#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::Connection;
using test::HttpTestServer;
using Verb = boost::beast::http::verb;

namespace {

const char* const kJson = "application/json; charset=utf-8";

std::string submit_python(std::uint16_t port, std::string code = "print(1)") {
  boost::json::object body{{"language", "python"}, {"code", code}, {"stdin", "in"}};
  Answer answer = test::post(port, "/api/v1/submissions", boost::json::serialize(body));
  REQUIRE(answer.status == 202);
  return std::string(answer.json().at("id").as_string());
}

result::RunResult done_run(const std::string& id) {
  result::RunResult run;
  run.id = id;
  run.status = result::Status::done;
  run.verdict = result::Verdict::ok;
  run.exit_code = 0;
  run.stdout_data = "hello\n";
  run.stderr_data = "warn\n";
  run.time_ms = 12;
  run.wall_ms = 34;
  run.memory_kb = 5678;
  run.created_at = core::from_unix_ms(1'700'000'000'000);
  run.finished_at = core::from_unix_ms(1'700'000'001'000);
  return run;
}

void check_error(const Answer& answer, unsigned status, const std::string& code) {
  INFO(answer.body);
  CHECK(answer.status == status);
  CHECK(answer.header("content-type") == kJson);
  CHECK(answer.error_code() == code);
  CHECK_FALSE(answer.error_message().empty());
}

}  // namespace

TEST_CASE("submit answers 202 queued, then the result goes queued, running, done",
          "[http][server]") {
  HttpTestServer server;
  boost::json::object body{{"language", "python"}, {"code", "print(1)"}};
  Answer accepted = test::post(server.port(), "/api/v1/submissions", boost::json::serialize(body));
  REQUIRE(accepted.status == 202);
  CHECK(accepted.header("content-type") == kJson);
  const auto json = accepted.json().as_object();
  CHECK(json.size() == 2);
  CHECK(json.at("status") == "queued");
  const std::string id(json.at("id").as_string());
  CHECK(core::is_well_formed_id(id));

  // The fake result module has not heard of it: the submission exists, so it is queued.
  Answer queued = test::get(server.port(), "/api/v1/submissions/" + id + "/result");
  REQUIRE(queued.status == 200);
  CHECK(queued.json() ==
        boost::json::parse(R"({"id":")" + id +
                           R"(","status":"queued","message":"Your submission is in queue."})"));

  server.results.set_status(id, result::Status::running);
  Answer running = test::get(server.port(), "/api/v1/submissions/" + id + "/result");
  CHECK(running.json().at("status") == "running");
  CHECK(running.json().at("message") == "Your submission is running.");

  server.results.set(done_run(id));
  Answer done = test::get(server.port(), "/api/v1/submissions/" + id + "/result");
  REQUIRE(done.status == 200);
  CHECK(done.json() == boost::json::parse(R"({"id":")" + id + R"(","status":"done","verdict":"ok",
      "exit_code":0,"signal":null,"encoding":"text","stdout":"hello\n","stderr":"warn\n",
      "compile_output":"",
      "time_ms":12,"wall_ms":34,"memory_kb":5678,"truncated":{"stdout":false,"stderr":false},
      "created_at":"2023-11-14T22:13:20.000Z","finished_at":"2023-11-14T22:13:21.000Z"})"));
}

TEST_CASE("the owner's view shows the stored submission", "[http][server]") {
  HttpTestServer server;
  boost::json::object body{{"language", "python"},
                           {"code", std::string("a\0b\xc3\xa9", 5)},
                           {"stdin", "input"},
                           {"limits", {{"cpu_ms", 1000}}}};
  Answer accepted = test::post(server.port(), "/api/v1/submissions", boost::json::serialize(body));
  REQUIRE(accepted.status == 202);
  const std::string id(accepted.json().at("id").as_string());
  Answer view = test::get(server.port(), "/api/v1/submissions/" + id);
  REQUIRE(view.status == 200);
  const auto json = view.json().as_object();
  CHECK(test::str(json.at("id")) == id);
  CHECK(json.at("language") == "python");
  CHECK(test::str(json.at("code")) == std::string("a\0b\xc3\xa9", 5));
  CHECK(json.at("stdin") == "input");
  CHECK(json.at("limits").at("cpu_ms") == 1000);
  CHECK(json.at("limits").at("wall_ms").is_null());
  const std::string created(json.at("created_at").as_string());
  CHECK(created.size() == 24);
  CHECK(created.back() == 'Z');
}

TEST_CASE("/healthz/queue shows the queue's depth and leases", "[http][server]") {
  HttpTestServer server;
  Answer empty = test::get(server.port(), "/healthz/queue");
  REQUIRE(empty.status == 200);
  CHECK(empty.json().at("queued") == 0);
  CHECK(empty.json().at("oldest_queued_age_ms").is_null());
  CHECK(empty.json().at("live_leases") == 0);
  CHECK(empty.json().at("expired_leases") == 0);
  server.results.set_status(submit_python(server.port()), result::Status::queued);
  server.results.set_status(submit_python(server.port()), result::Status::queued);
  Answer two = test::get(server.port(), "/healthz/queue");
  REQUIRE(two.status == 200);
  CHECK(two.json().at("queued") == 2);
}

TEST_CASE("wait_ms long-polls and returns as soon as the run is done", "[http][server]") {
  HttpTestServer server;
  const std::string id = submit_python(server.port());
  server.results.set_status(id, result::Status::queued);
  auto pending = std::async(std::launch::async, [&] {
    return test::get(server.port(), "/api/v1/submissions/" + id + "/result?wait_ms=30000");
  });
  REQUIRE(server.results.wait_for_waiters(1));
  // While it waits, the I/O threads keep serving others.
  CHECK(test::get(server.port(), "/healthz").status == 200);
  server.results.set(done_run(id));
  Answer done = pending.get();
  REQUIRE(done.status == 200);
  CHECK(done.json().at("status") == "done");

  // A short wait on an unfinished run ends with its current status.
  const std::string other = submit_python(server.port());
  server.results.set_status(other, result::Status::running);
  Answer still = test::get(server.port(), "/api/v1/submissions/" + other + "/result?wait_ms=50");
  CHECK(still.json().at("status") == "running");
}

TEST_CASE("wait_ms and base64 must be sane", "[http][server]") {
  HttpTestServer server;
  const std::string id = submit_python(server.port());
  for (const char* query :
       {"wait_ms=-1", "wait_ms=30001", "wait_ms=abc", "wait_ms=", "wait_ms=1.5", "base64=yes"}) {
    INFO(query);
    Answer answer = test::get(server.port(), "/api/v1/submissions/" + id + "/result?" + query);
    check_error(answer, 400, "invalid_request");
  }
  CHECK(test::get(server.port(), "/api/v1/submissions/" + id + "/result?wait_ms=0").status == 200);
}

TEST_CASE("output that is not UTF-8 comes as base64, text as text unless base64=true",
          "[http][server]") {
  HttpTestServer server;
  const std::string id = submit_python(server.port());
  result::RunResult run = done_run(id);
  run.compile_output = "cc";
  server.results.set(run);
  Answer text = test::get(server.port(), "/api/v1/submissions/" + id + "/result");
  CHECK(text.json().at("encoding") == "text");
  CHECK(text.json().at("stdout") == "hello\n");

  for (const char* query : {"", "?base64=true"}) {
    INFO(query);
    run.id = submit_python(server.port());  // a done result never changes: a fresh one
    run.stdout_data = query[0] == '\0' ? std::string("bin\xff\x00", 5) : "hello\n";
    server.results.set(run);
    Answer exact = test::get(server.port(), "/api/v1/submissions/" + run.id + "/result" + query);
    const auto json = exact.json().as_object();
    CHECK(json.at("encoding") == "base64");
    CHECK(test::str(json.at("stdout")) == http::base64_encode(run.stdout_data));
    CHECK(test::str(json.at("stderr")) == http::base64_encode("warn\n"));
    CHECK(test::str(json.at("compile_output")) == http::base64_encode("cc"));
  }
}

TEST_CASE("malformed submissions get 400 naming the field", "[http][server]") {
  HttpTestServer server;
  const std::pair<std::string, std::string> cases[] = {
      {"{not json", "JSON"},
      {"[1,2,3]", "object"},
      {"\"text\"", "object"},
      {"", "JSON"},
      {"{\"language\":\"python\",\"code\":\"\xff\"}", "UTF-8"},
      {R"({"code":"x"})", "'language'"},
      {R"({"language":"python"})", "'code'"},
      {R"({"language":5,"code":"x"})", "'language'"},
      {R"({"language":"python","code":null})", "'code'"},
      {R"({"language":"python","code":"x","stdin":{}})", "'stdin'"},
      {R"({"language":"python","code":"x","limits":"fast"})", "'limits'"},
      {R"({"language":"python","code":"x","limits":{"cpu_ms":"1"}})", "'limits.cpu_ms'"},
      {R"({"language":"python","code":"x","limits":{"wall_ms":true}})", "'limits.wall_ms'"},
      {R"({"language":"python","code":"x","limits":{"memory_kb":2.5}})", "'limits.memory_kb'"},
  };
  for (const auto& [body, mention] : cases) {
    INFO(body);
    Answer answer = test::post(server.port(), "/api/v1/submissions", body);
    check_error(answer, 400, "invalid_request");
    CHECK_THAT(answer.error_message(), Catch::Contains(mention));
  }
}

TEST_CASE("the module's refusals map to 422, 503 and 500", "[http][server]") {
  HttpTestServer server;
  const std::string body = R"({"language":"python","code":"x"})";
  const std::tuple<core::ErrorCode, unsigned, std::string> cases[] = {
      {core::ErrorCode::unknown_language, 422, "unknown_language"},
      {core::ErrorCode::invalid_limits, 422, "invalid_limits"},
      {core::ErrorCode::payload_too_large, 413, "payload_too_large"},
      {core::ErrorCode::queue_full, 503, "queue_full"},
      {core::ErrorCode::shutting_down, 503, "shutting_down"},
      {core::ErrorCode::storage_unavailable, 503, "storage_unavailable"},
      {core::ErrorCode::internal, 500, "internal_error"},
  };
  for (const auto& [code, status, name] : cases) {
    INFO(name);
    server.submissions.fail_with(code);
    Answer answer = test::post(server.port(), "/api/v1/submissions", body);
    check_error(answer, status, name);
    if (code == core::ErrorCode::queue_full) CHECK_FALSE(answer.header("retry-after").empty());
  }
  server.submissions.fail_with(std::nullopt);
  CHECK(test::post(server.port(), "/api/v1/submissions", body).status == 202);
}

TEST_CASE("bodies over the limit get 413, by Content-Length or chunked", "[http][server]") {
  HttpTestServer server;  // 64 KiB

  SECTION("Content-Length over the limit is refused before the body is read") {
    Connection connection(server.port());
    connection.send_raw(
        "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000000000\r\n\r\n");
    check_error(connection.read(), 413, "payload_too_large");
    CHECK(connection.closed_by_server());
  }
  SECTION("a whole body over the limit") {
    const std::string code(70 * 1024, 'x');
    Answer answer = test::post(server.port(), "/api/v1/submissions",
                               R"({"language":"python","code":")" + code + "\"}");
    check_error(answer, 413, "payload_too_large");
  }
  SECTION("chunked") {
    Connection connection(server.port());
    connection.send_raw(
        "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk(16 * 1024, 'x');
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    for (int i = 0; i < 5; ++i) connection.send_raw(std::string(size) + chunk + "\r\n");
    check_error(connection.read(), 413, "payload_too_large");
  }
  SECTION("a body just under the limit is read") {
    const std::string code(60 * 1024, 'x');
    CHECK(test::post(server.port(), "/api/v1/submissions",
                     R"({"language":"python","code":")" + code + "\"}")
              .status == 202);
  }
}

TEST_CASE("Expect: 100-continue gets 100 before the body", "[http][server]") {
  HttpTestServer server;
  Connection connection(server.port());
  const std::string body = R"({"language":"python","code":"x"})";
  connection.send_raw(
      "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  CHECK(connection.read().status == 100);
  connection.send_raw(body);
  CHECK(connection.read().status == 202);
}

TEST_CASE("unknown ids, slugs and paths are 404", "[http][server]") {
  HttpTestServer server;
  const std::string unknown = core::RandomIdGenerator().new_id();
  for (const std::string& target :
       {"/api/v1/submissions/" + unknown, "/api/v1/submissions/" + unknown + "/result",
        "/api/v1/submissions/" + unknown + "/result?wait_ms=100",
        std::string("/api/v1/submissions/%21%21/result"), std::string("/api/v1/shares/nope"),
        std::string("/api/v1/shares/%2e%2e"), std::string("/api/v2/languages"),
        std::string("/nothing/here"), std::string("/api/v1/languages/")}) {
    INFO(target);
    check_error(test::get(server.port(), target), 404, "not_found");
  }
  check_error(test::post(server.port(), "/api/v1/submissions/" + unknown + "/share", ""), 404,
              "not_found");
}

TEST_CASE("a wrong method on a known path is 405 with Allow", "[http][server]") {
  HttpTestServer server;
  Connection connection(server.port());
  Answer answer = connection.request(Verb::get, "/api/v1/submissions");
  check_error(answer, 405, "invalid_request");
  CHECK(answer.header("allow") == "POST, OPTIONS");
  answer = connection.request(Verb::delete_, "/api/v1/submissions/abc");
  check_error(answer, 405, "invalid_request");
  CHECK(answer.header("allow") == "GET, HEAD, OPTIONS");
  answer = connection.request(Verb::post, "/healthz", "{}");
  CHECK(answer.status == 405);
  CHECK(answer.header("allow") == "GET, HEAD, OPTIONS");
  answer = connection.request(Verb::put, "/api/v1/submissions/abc/share", "{}");
  CHECK(answer.header("allow") == "POST, OPTIONS");
}

TEST_CASE("oversized headers get 431, garbage gets 400", "[http][server]") {
  HttpTestServer server;  // 4 KiB of headers
  {
    Connection connection(server.port());
    connection.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8 * 1024, 'a') +
                        "\r\n\r\n");
    check_error(connection.read(), 431, "invalid_request");
  }
  {
    Connection connection(server.port());
    connection.send_raw("THIS IS NOT HTTP\r\n\r\n");
    check_error(connection.read(), 400, "invalid_request");
  }
  CHECK(test::get(server.port(), "/healthz").status == 200);
}

TEST_CASE("share answers 201 first, 200 after, with a link from the Host", "[http][server]") {
  HttpTestServer server;
  const std::string id = submit_python(server.port());
  Answer first = test::post(server.port(), "/api/v1/submissions/" + id + "/share", "");
  REQUIRE(first.status == 201);
  const std::string slug(first.json().at("slug").as_string());
  CHECK(test::str(first.json().at("url")) == "http://ide.test:8080/s/" + slug);
  CHECK(first.json().as_object().size() == 2);
  Answer again = test::post(server.port(), "/api/v1/submissions/" + id + "/share", "");
  CHECK(again.status == 200);
  CHECK(again.json() == first.json());
}

TEST_CASE("share links use public_url when it is set", "[http][server]") {
  HttpTestServer server(HttpTestServer::small_options(), "https://ide.example.org/");
  const std::string id = submit_python(server.port());
  Answer first = test::post(server.port(), "/api/v1/submissions/" + id + "/share", "");
  const std::string slug(first.json().at("slug").as_string());
  CHECK(test::str(first.json().at("url")) == "https://ide.example.org/s/" + slug);
}

TEST_CASE("the share view shows code, input and result, never the id", "[http][server]") {
  HttpTestServer server;
  const std::string id = submit_python(server.port(), "print(42)");
  const std::string slug(test::post(server.port(), "/api/v1/submissions/" + id + "/share", "")
                             .json()
                             .at("slug")
                             .as_string());

  // Not yet known to the result module: result is null.
  Answer before = test::get(server.port(), "/api/v1/shares/" + slug);
  REQUIRE(before.status == 200);
  CHECK(before.body.find(id) == std::string::npos);
  CHECK(before.json().at("result").is_null());

  server.results.set(done_run(id));
  Answer view = test::get(server.port(), "/api/v1/shares/" + slug);
  REQUIRE(view.status == 200);
  CHECK(view.body.find(id) == std::string::npos);
  const auto json = view.json().as_object();
  CHECK(test::str(json.at("slug")) == slug);
  CHECK(json.at("language") == "python");
  CHECK(json.at("code") == "print(42)");
  CHECK(json.at("stdin") == "in");
  CHECK(json.at("created_at").is_string());
  const auto& shown = json.at("result").as_object();
  CHECK_FALSE(shown.contains("id"));
  CHECK(shown.at("status") == "done");
  CHECK(shown.at("stdout") == "hello\n");

  Answer encoded = test::get(server.port(), "/api/v1/shares/" + slug + "?base64=true");
  CHECK(test::str(encoded.json().at("result").at("stdout")) == http::base64_encode("hello\n"));
  CHECK(encoded.body.find(id) == std::string::npos);
}

TEST_CASE("languages, health and the web page", "[http][server]") {
  HttpTestServer server;
  Answer languages = test::get(server.port(), "/api/v1/languages");
  REQUIRE(languages.status == 200);
  CHECK(languages.header("content-type") == kJson);
  CHECK(languages.json() == boost::json::parse(R"([{"id":"python","name":"Python",
      "version":"3.11.2"},{"id":"c","name":"C","version":"12.2.0"}])"));

  Answer health = test::get(server.port(), "/healthz");
  CHECK(health.status == 200);
  CHECK(health.json() == boost::json::parse(R"({"status":"ok"})"));

  for (const char* page : {"/", "/s/abcdefgh"}) {
    INFO(page);
    Answer html = test::get(server.port(), page);
    CHECK(html.status == 200);
    CHECK_THAT(html.header("content-type"), Catch::StartsWith("text/html"));
    CHECK_THAT(html.body, Catch::Contains("<html") || Catch::Contains("<!doctype") ||
                              Catch::Contains("<!DOCTYPE"));
  }
  check_error(test::get(server.port(), "/assets/no-such-file.js"), 404, "not_found");
}

TEST_CASE("keep-alive serves several requests on one connection", "[http][server]") {
  HttpTestServer server;
  Connection connection(server.port());
  for (int i = 0; i < 5; ++i) {
    Answer answer = connection.request(Verb::get, "/healthz");
    CHECK(answer.status == 200);
    CHECK(answer.header("connection") != "close");
  }
  check_error(connection.request(Verb::get, "/missing"), 404, "not_found");
  CHECK(connection.request(Verb::get, "/api/v1/languages").status == 200);
}

TEST_CASE("a stalled client does not hold up others and is cut off", "[http][server]") {
  HttpTestServer server;  // 1 s to send headers, 1 s for a body
  Connection half_headers(server.port());
  half_headers.send_raw("GET /healthz HTTP/1.1\r\nHo");
  Connection half_body(server.port());
  half_body.send_raw(
      "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");

  CHECK(test::get(server.port(), "/healthz").status == 200);
  CHECK(test::post(server.port(), "/api/v1/submissions", R"({"language":"c","code":""})").status ==
        202);

  CHECK(half_headers.closed_by_server());
  CHECK(half_body.closed_by_server());
}

TEST_CASE("an idle keep-alive connection is closed after the header timeout", "[http][server]") {
  HttpTestServer server;
  Connection connection(server.port());
  CHECK(connection.request(Verb::get, "/healthz").status == 200);
  CHECK(connection.closed_by_server());
}

TEST_CASE("submits beyond the rate limit get 429 with Retry-After", "[http][server]") {
  auto options = HttpTestServer::small_options();
  options.rate_limit_per_minute = 1;
  options.rate_limit_burst = 2;
  HttpTestServer server(options);
  const std::string body = R"({"language":"python","code":"x"})";
  CHECK(test::post(server.port(), "/api/v1/submissions", body).status == 202);
  CHECK(test::post(server.port(), "/api/v1/submissions", body).status == 202);
  Answer limited = test::post(server.port(), "/api/v1/submissions", body);
  check_error(limited, 429, "rate_limited");
  const int retry = std::stoi(limited.header("retry-after"));
  CHECK(retry >= 1);
  CHECK(retry <= 60);
  // Only submits are limited.
  CHECK(test::get(server.port(), "/api/v1/languages").status == 200);
}

TEST_CASE("draining refuses new submits with 503 and still serves reads", "[http][server]") {
  HttpTestServer server;
  const std::string id = submit_python(server.port());
  server.server->stop_accepting();
  CHECK_FALSE(server.server->accepting());
  Answer refused =
      test::post(server.port(), "/api/v1/submissions", R"({"language":"python","code":"x"})");
  check_error(refused, 503, "shutting_down");
  CHECK(test::get(server.port(), "/api/v1/submissions/" + id + "/result").status == 200);
  CHECK(test::get(server.port(), "/healthz").status == 200);
  CHECK(test::post(server.port(), "/api/v1/submissions/" + id + "/share", "").status == 201);
}

TEST_CASE("connections beyond the limit get 503", "[http][server]") {
  auto options = HttpTestServer::small_options();
  options.max_connections = 2;
  options.header_timeout = std::chrono::milliseconds(10'000);
  HttpTestServer server(options);
  Connection first(server.port());
  CHECK(first.request(Verb::get, "/healthz").status == 200);
  Connection second(server.port());
  CHECK(second.request(Verb::get, "/healthz").status == 200);
  Connection third(server.port());
  third.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  check_error(third.read(), 503, "unavailable");
  CHECK(third.closed_by_server());
  CHECK(first.request(Verb::get, "/healthz").status == 200);
}

TEST_CASE("a handler that throws answers 500 and the server goes on", "[http][server]") {
  HttpTestServer server(HttpTestServer::small_options(), "", [](http::Router& router) {
    router.add(http::Verb::get, "/throw",
               [](http::Request, http::Reply) { throw std::runtime_error("boom"); });
    router.add(http::Verb::get, "/throw-inline", [](http::Request, http::Reply) { throw 42; },
               {.blocking = false});
    router.add(http::Verb::get, "/abandon", [](http::Request, http::Reply) {});
  });
  check_error(test::get(server.port(), "/throw"), 500, "internal_error");
  check_error(test::get(server.port(), "/throw-inline"), 500, "internal_error");
  check_error(test::get(server.port(), "/abandon"), 503, "unavailable");
  CHECK(test::get(server.port(), "/healthz").status == 200);
}

TEST_CASE("stopping with a long-poll pending finishes, and the late answer is ignored",
          "[http][server]") {
  HttpTestServer server;
  const std::string id = submit_python(server.port());
  server.results.set_status(id, result::Status::queued);
  Connection waiting(server.port());
  waiting.send_raw("GET /api/v1/submissions/" + id +
                   "/result?wait_ms=30000 HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(server.results.wait_for_waiters(1));
  server.server->stop();
  CHECK(waiting.closed_by_server());
  server.results.set(done_run(id));  // the fake now answers into a stopped server
  server.server->stop();             // idempotent
}
