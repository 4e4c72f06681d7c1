// The HTTP layer's pure parts: routing (404 vs 405 and Allow), the ErrorCode -> status map and
// the error body, the JSON codecs (field-naming 400s, result shapes, base64) and the token bucket.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "core/json.hpp"
#include "http/codec.hpp"
#include "http/errors.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"

using namespace ide;
using http::Router;
using http::Verb;

namespace {

Router sample_router() {
  Router router;
  const auto nothing = [](http::Request, http::Reply) {};
  router.add(Verb::post, "/api/v1/submissions", nothing);
  router.add(Verb::get, "/api/v1/submissions/{id}", nothing);
  router.add(Verb::get, "/api/v1/submissions/{id}/result", nothing);
  router.add(Verb::post, "/api/v1/submissions/{id}/share", nothing);
  router.add(Verb::get, "/", nothing);
  router.add(Verb::get, "/assets/*", nothing);
  return router;
}

std::string message_of(const core::Result<submission::NewSubmission>& decoded) {
  REQUIRE_FALSE(decoded.has_value());
  CHECK(decoded.error().code == core::ErrorCode::invalid_argument);
  return decoded.error().message;
}

}  // namespace

TEST_CASE("router matches exact and {param} segments", "[http][router]") {
  const Router router = sample_router();
  auto match = router.match(Verb::get, {"api", "v1", "submissions", "abc"});
  REQUIRE(match.kind == Router::Match::Kind::found);
  CHECK(match.route->pattern == "/api/v1/submissions/{id}");
  CHECK(match.params.at("id") == "abc");

  match = router.match(Verb::get, {"api", "v1", "submissions", "abc", "result"});
  REQUIRE(match.kind == Router::Match::Kind::found);
  CHECK(match.params.at("id") == "abc");

  CHECK(router.match(Verb::get, {}).kind == Router::Match::Kind::found);
  match = router.match(Verb::get, {"assets", "js", "app.js"});
  REQUIRE(match.kind == Router::Match::Kind::found);
  CHECK(match.params.at("*") == "js/app.js");
}

TEST_CASE("router tells unknown paths from wrong methods", "[http][router]") {
  const Router router = sample_router();
  CHECK(router.match(Verb::get, {"nope"}).kind == Router::Match::Kind::not_found);
  CHECK(router.match(Verb::get, {"api", "v1", "submissions", ""}).kind ==
        Router::Match::Kind::not_found);
  CHECK(router.match(Verb::get, {"assets"}).kind == Router::Match::Kind::not_found);

  auto match = router.match(Verb::get, {"api", "v1", "submissions"});
  REQUIRE(match.kind == Router::Match::Kind::method_not_allowed);
  CHECK(match.allow == "POST, OPTIONS");
  match = router.match(Verb::delete_, {"api", "v1", "submissions", "x"});
  REQUIRE(match.kind == Router::Match::Kind::method_not_allowed);
  CHECK(match.allow == "GET, HEAD, OPTIONS");
  // HEAD is served wherever GET is.
  match = router.match(Verb::head, {"api", "v1", "submissions", "x"});
  REQUIRE(match.kind == Router::Match::Kind::found);
  CHECK(match.route->method == Verb::get);
}

TEST_CASE("every error code maps to its status", "[http][errors]") {
  using core::ErrorCode;
  using http::Status;
  CHECK(http::status_for(ErrorCode::invalid_argument) == Status::bad_request);
  CHECK(http::status_for(ErrorCode::unknown_language) == Status::unprocessable_entity);
  CHECK(http::status_for(ErrorCode::invalid_limits) == Status::unprocessable_entity);
  CHECK(http::status_for(ErrorCode::not_found) == Status::not_found);
  CHECK(http::status_for(ErrorCode::payload_too_large) == Status::payload_too_large);
  CHECK(http::status_for(ErrorCode::queue_full) == Status::service_unavailable);
  CHECK(http::status_for(ErrorCode::rate_limited) == Status::too_many_requests);
  CHECK(http::status_for(ErrorCode::shutting_down) == Status::service_unavailable);
  CHECK(http::status_for(ErrorCode::storage_unavailable) == Status::service_unavailable);
  CHECK(http::status_for(ErrorCode::unavailable) == Status::service_unavailable);
  CHECK(http::status_for(ErrorCode::internal) == Status::internal_server_error);
}

TEST_CASE("error bodies have exactly the SPEC shape", "[http][errors]") {
  auto response = http::error_response({core::ErrorCode::queue_full, "The queue is full."});
  CHECK(response.status == http::Status::service_unavailable);
  CHECK(response.content_type == "application/json; charset=utf-8");
  CHECK(response.body == R"({"error":{"code":"queue_full","message":"The queue is full."}})");
  REQUIRE(response.headers.size() == 1);
  CHECK(response.headers[0].first == "Retry-After");

  response = http::error_response({core::ErrorCode::not_found, "x"});
  CHECK(response.headers.empty());
  response = http::error_response({core::ErrorCode::rate_limited, "x"}, 7);
  CHECK(response.headers.at(0).second == "7");
  response = http::error_response({core::ErrorCode::internal, "bad \xff byte"});
  CHECK(core::json::is_valid_utf8(response.body));
}

TEST_CASE("decode_new_submission reads every field", "[http][codec]") {
  auto decoded = http::decode_new_submission(
      R"({"language":"python","code":"print(1)\u0000","stdin":"in",)"
      R"("limits":{"cpu_ms":100,"wall_ms":200,"memory_kb":300},"extra":true})");
  REQUIRE(decoded.has_value());
  CHECK(decoded->language == "python");
  CHECK(decoded->code == std::string("print(1)\0", 9));
  CHECK(decoded->stdin_data == "in");
  CHECK(decoded->limits.cpu_ms == 100);
  CHECK(decoded->limits.wall_ms == 200);
  CHECK(decoded->limits.memory_kb == 300);

  CHECK(decoded->args.empty());
  CHECK_FALSE(decoded->expected_stdout.has_value());

  decoded = http::decode_new_submission(
      R"({"language":"c","code":"","args":["1","a b"],"expected_stdout":"3\n")"
      R"(,"limits":{"cpu_ms":5}})");
  REQUIRE(decoded.has_value());
  CHECK(decoded->args == std::vector<std::string>{"1", "a b"});
  CHECK(decoded->expected_stdout == std::optional<std::string>("3\n"));
  CHECK(decoded->stdin_data.empty());
  CHECK_FALSE(decoded->limits.wall_ms.has_value());
}

TEST_CASE("decode_new_submission names what is wrong", "[http][codec]") {
  CHECK_THAT(message_of(http::decode_new_submission("{")), Catch::Contains("JSON"));
  CHECK_THAT(message_of(http::decode_new_submission("[1,2]")), Catch::Contains("object"));
  CHECK_THAT(message_of(http::decode_new_submission("{\"language\":\"\xc3\x28\"}")),
             Catch::Contains("UTF-8"));
  CHECK_THAT(message_of(http::decode_new_submission(R"({"code":"x"})")),
             Catch::Contains("'language'"));
  CHECK_THAT(message_of(http::decode_new_submission(R"({"language":"python"})")),
             Catch::Contains("'code'"));
  CHECK_THAT(message_of(http::decode_new_submission(R"({"language":1,"code":"x"})")),
             Catch::Contains("'language'"));
  CHECK_THAT(message_of(http::decode_new_submission(R"({"language":"c","code":["x"]})")),
             Catch::Contains("'code'"));
  CHECK_THAT(message_of(http::decode_new_submission(R"({"language":"c","code":"","stdin":5})")),
             Catch::Contains("'stdin'"));
  CHECK_THAT(message_of(http::decode_new_submission(R"({"language":"c","code":"","args":"1"})")),
             Catch::Contains("'args'"));
  CHECK_THAT(message_of(http::decode_new_submission(R"({"language":"c","code":"","args":[1]})")),
             Catch::Contains("'args'"));
  CHECK_THAT(message_of(http::decode_new_submission(
                 R"({"language":"c","code":"","expected_stdout":1})")),
             Catch::Contains("'expected_stdout'"));
  CHECK_THAT(
      message_of(http::decode_new_submission(R"({"language":"c","code":"","limits":[]})")),
      Catch::Contains("'limits'"));
  CHECK_THAT(message_of(http::decode_new_submission(
                 R"({"language":"c","code":"","limits":{"wall_ms":"1"}})")),
             Catch::Contains("'limits.wall_ms'"));
  CHECK_THAT(message_of(http::decode_new_submission(
                 R"({"language":"c","code":"","limits":{"memory_kb":1.5}})")),
             Catch::Contains("'limits.memory_kb'"));
}

TEST_CASE("results encode by status", "[http][codec]") {
  result::RunResult run;
  run.id = "abc";
  run.status = result::Status::queued;
  auto body = http::encode_result(run, {});
  CHECK(body.size() == 3);
  CHECK(body.at("message") == "Your submission is in queue.");
  run.status = result::Status::running;
  CHECK(http::encode_result(run, {}).at("message") == "Your submission is running.");

  run.status = result::Status::done;
  run.verdict = result::Verdict::runtime_error;
  run.exit_code = 3;
  run.stdout_data = "out\xff";
  run.stderr_data = "err";
  run.stdout_truncated = true;
  run.created_at = core::from_unix_ms(1'000);
  run.finished_at = core::from_unix_ms(2'500);
  body = http::encode_result(run, {});
  for (const char* field :
       {"id", "status", "verdict", "exit_code", "signal", "stdout", "stderr", "compile_output",
        "time_ms", "wall_ms", "memory_kb", "truncated", "created_at", "finished_at"}) {
    INFO(field);
    CHECK(body.contains(field));
  }
  CHECK(body.at("verdict") == "runtime_error");
  CHECK(body.at("exit_code") == 3);
  CHECK(body.at("signal").is_null());
  CHECK(body.at("truncated").at("stdout") == true);
  CHECK(body.at("truncated").at("stderr") == false);
  CHECK(body.at("finished_at") == "1970-01-01T00:00:02.500Z");
  // Not UTF-8: base64 although not asked for, so the bytes survive.
  CHECK(body.at("encoding") == "base64");
  CHECK(*http::base64_decode(std::string(body.at("stdout").as_string())) == "out\xff");

  run.stdout_data = "out\n";
  body = http::encode_result(run, {});
  CHECK(body.at("encoding") == "text");
  CHECK(body.at("stdout") == "out\n");

  body = http::encode_result(run, {.base64 = true, .include_id = false});
  CHECK_FALSE(body.contains("id"));
  CHECK(body.at("encoding") == "base64");
  CHECK(*http::base64_decode(std::string(body.at("stdout").as_string())) == "out\n");
}

TEST_CASE("json_text_size is what Boost.JSON writes for every character", "[http][codec]") {
  std::string every_ascii;
  for (int c = 0; c < 128; ++c) every_ascii += static_cast<char>(c);
  for (const std::string& text : {every_ascii, std::string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
                                  std::string(1000, '\x01'), std::string()}) {
    const std::string serialized = boost::json::serialize(boost::json::string(text));
    CHECK(http::json_text_size(text) + 2 == serialized.size());
  }
}

TEST_CASE("control-byte output goes as base64, text output as text", "[http][codec]") {
  result::RunResult run;
  run.status = result::Status::done;
  const auto encoded = [&] {
    return std::string(http::encode_result(run, {}).at("encoding").as_string());
  };
  run.stdout_data = std::string(3000, '\x01');  // 18000 bytes as \u0001, 4000 as base64
  CHECK(encoded() == "base64");
  run.stdout_data = std::string(3000, 'a') + std::string(1000, '\x01');  // 9000 > 5336
  CHECK(encoded() == "base64");
  // A few control bytes in much text: the text is shorter than base64, so it stays readable.
  run.stdout_data = std::string(3000, 'a') + std::string(150, '\x1b');
  CHECK(encoded() == "text");
  run.stdout_data = "tab\tnew\nline\r\n\"quoted\" \\ \xc3\xa9";
  CHECK(encoded() == "text");
  run.stdout_data = "";
  CHECK(encoded() == "text");
}

TEST_CASE("base64 round-trips every byte", "[http][codec]") {
  CHECK(http::base64_encode("") == "");
  CHECK(http::base64_encode("f") == "Zg==");
  CHECK(http::base64_encode("fo") == "Zm8=");
  CHECK(http::base64_encode("foo") == "Zm9v");
  CHECK(http::base64_encode("\xfb\xff") == "+/8=");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  CHECK(*http::base64_decode(http::base64_encode(all)) == all);
  CHECK_FALSE(http::base64_decode("a$b=").has_value());
}

TEST_CASE("token bucket allows a burst, then one per interval", "[http][rate]") {
  http::RateLimiter limiter(6, 2);  // one token every 10 s
  const auto t0 = http::RateLimiter::Clock::time_point() + std::chrono::hours(1);
  CHECK_FALSE(limiter.acquire("a", t0).has_value());
  CHECK_FALSE(limiter.acquire("a", t0).has_value());
  auto wait = limiter.acquire("a", t0);
  REQUIRE(wait.has_value());
  CHECK(*wait == 10);
  CHECK_FALSE(limiter.acquire("b", t0).has_value());  // per key
  CHECK(limiter.acquire("a", t0 + std::chrono::seconds(5)).value_or(0) == 5);
  CHECK_FALSE(limiter.acquire("a", t0 + std::chrono::seconds(11)).has_value());

  http::RateLimiter off(0, 1);
  for (int i = 0; i < 100; ++i) CHECK_FALSE(off.acquire("a", t0).has_value());
}
