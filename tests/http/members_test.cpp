// Class members over the v1 API on the real Beast server and the real access module (issue 12,
// item 3): a class token's submits are made as its class, counted against its hourly quota and
// queue cap instead of the per-address limit; unknown bearers are refused; anonymous_access
// read_only and off keep anonymous callers from what they may not use.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "http/hourly_quota.hpp"
#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::bearer;
using test::Headers;
using test::HttpTestServer;
using Verb = boost::beast::http::verb;

namespace {

const std::string kSubmit = R"json({"language":"python","code":"print(1)"})json";

Answer send(const HttpTestServer& server, Verb verb, const std::string& target,
            std::string body = "", const Headers& headers = {}) {
  return test::Connection(server.port()).request(verb, target, std::move(body), headers);
}

Answer submit(const HttpTestServer& server, const Headers& headers = {},
              const std::string& body = kSubmit) {
  return send(server, Verb::post, "/api/v1/submissions", body, headers);
}

access::IssuedClassToken make_class(HttpTestServer& server, access::ClassQuota quota = {}) {
  auto issued = server.access->create({.name = "CS101", .quota = quota});
  REQUIRE(issued.has_value());
  return std::move(*issued);
}

void check_refusal(const Answer& answer, unsigned status, const std::string& code) {
  INFO(answer.body);
  CHECK(answer.status == status);
  CHECK(answer.error_code() == code);
}

std::string id_of(const Answer& answer) {
  return std::string(answer.json().at("id").as_string());
}

}  // namespace

TEST_CASE("members: a class token submits as its class, with the student's label",
          "[http][members]") {
  HttpTestServer server;
  const access::IssuedClassToken issued = make_class(server);
  const Answer accepted = submit(
      server, bearer(issued.student_secret),
      R"json({"language":"python","code":"print(1)","student":"Ada L."})json");
  REQUIRE(accepted.status == 202);
  const Answer stored = send(server, Verb::get, "/api/v1/submissions/" + id_of(accepted));
  REQUIRE(stored.status == 200);
  CHECK(stored.json().at("class_id") == issued.token.id.c_str());
  CHECK(stored.json().at("student") == "Ada L.");

  // The owner's secret submits as the class too; an anonymous submit has no class.
  const Answer by_owner = submit(server, bearer(issued.owner_secret));
  REQUIRE(by_owner.status == 202);
  CHECK(server.submissions.get(id_of(by_owner))->class_id == issued.token.id);
  const Answer anonymous = submit(server);
  REQUIRE(anonymous.status == 202);
  CHECK(send(server, Verb::get, "/api/v1/submissions/" + id_of(anonymous)).json().at("class_id")
            .is_null());
}

TEST_CASE("members: an unknown, revoked or malformed bearer is refused and submits nothing",
          "[http][members]") {
  HttpTestServer server;
  const access::IssuedClassToken issued = make_class(server);
  REQUIRE(server.access->revoke(issued.token.id));
  for (const std::string& secret :
       {issued.student_secret, std::string("ide_cls_not-a-secret"), std::string("x")}) {
    const Answer refused = submit(server, bearer(secret));
    check_refusal(refused, 401, "unauthorized");
    CHECK(refused.header("www-authenticate") == "Bearer");
  }
  // Piston's and Judge0's submits authenticate the bearer the same way (in their error shapes).
  CHECK(send(server, Verb::post, "/api/v2/execute",
             R"json({"language":"python","version":"*","files":[{"content":"1"}]})json",
             bearer("ide_cls_unknown"))
            .status == 401);
  CHECK(send(server, Verb::post, "/submissions",
             R"json({"source_code":"1","language_id":71})json", bearer("ide_cls_unknown"))
            .status == 401);
  CHECK(server.submissions.size() == 0);
}

TEST_CASE("members: a class's hourly quota answers 429 with Retry-After, apart from others",
          "[http][members]") {
  auto options = HttpTestServer::small_options();
  options.rate_limit_per_minute = 1;  // one anonymous submit per address, then 429
  options.rate_limit_burst = 1;
  HttpTestServer server(options);
  const access::IssuedClassToken limited = make_class(server, {.submissions_per_hour = 3});
  const access::IssuedClassToken other = make_class(server);
  for (int i = 0; i < 3; ++i) REQUIRE(submit(server, bearer(limited.student_secret)).status == 202);
  const Answer refused = submit(server, bearer(limited.owner_secret));
  check_refusal(refused, 429, "rate_limited");
  const std::string retry = refused.header("retry-after");
  REQUIRE_FALSE(retry.empty());
  CHECK(std::stoi(retry) >= 1);
  CHECK(std::stoi(retry) <= 3600);
  CHECK(refused.error_message().find("CS101") != std::string::npos);

  // Another class, unlimited, is not held back by the address limit either.
  for (int i = 0; i < 5; ++i) REQUIRE(submit(server, bearer(other.student_secret)).status == 202);
  // Anonymous callers from the same address still are.
  REQUIRE(submit(server).status == 202);
  check_refusal(submit(server), 429, "rate_limited");
}

TEST_CASE("members: a refused submit does not count against the class's hour",
          "[http][members]") {
  HttpTestServer server;
  const access::IssuedClassToken issued = make_class(server, {.submissions_per_hour = 1});
  server.submissions.fail_with(core::ErrorCode::storage_unavailable);
  CHECK(submit(server, bearer(issued.student_secret)).status == 503);
  server.submissions.fail_with(std::nullopt);
  CHECK(submit(server, bearer(issued.student_secret)).status == 202);
  check_refusal(submit(server, bearer(issued.student_secret)), 429, "rate_limited");
}

TEST_CASE("members: a class's max_queued caps its unfinished submissions together",
          "[http][members]") {
  HttpTestServer server;
  server.submissions.hand_off_with(
      [&](const std::string& id) { return server.results.enqueue(id); });
  const access::IssuedClassToken issued = make_class(server, {.max_queued = 2});
  const Answer first = submit(server, bearer(issued.student_secret));
  REQUIRE(first.status == 202);
  REQUIRE(submit(server, bearer(issued.owner_secret)).status == 202);
  const Answer refused = submit(server, bearer(issued.student_secret));
  check_refusal(refused, 429, "rate_limited");
  CHECK(refused.error_message().find("class") != std::string::npos);
  CHECK_FALSE(refused.header("retry-after").empty());
  server.results.set_status(id_of(first), result::Status::done);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.client_jobs.unfinished("class:" + issued.token.id) != 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(submit(server, bearer(issued.student_secret)).status == 202);
}

TEST_CASE("members: anonymous_access read_only lets anyone read but only members write",
          "[http][members]") {
  HttpTestServer server(http::AnonymousAccess::read_only);
  const access::IssuedClassToken issued = make_class(server);
  const Answer refused = submit(server);
  check_refusal(refused, 401, "unauthorized");
  CHECK(refused.header("www-authenticate") == "Bearer");
  CHECK(refused.error_message().find("class token") != std::string::npos);
  CHECK(send(server, Verb::post, "/api/v2/execute",
             R"json({"language":"python","version":"*","files":[{"content":"1"}]})json")
            .status == 401);
  const Answer accepted = submit(server, bearer(issued.student_secret));
  REQUIRE(accepted.status == 202);
  const std::string id = id_of(accepted);
  CHECK(send(server, Verb::get, "/api/v1/submissions/" + id).status == 200);
  CHECK(send(server, Verb::get, "/api/v1/problems").status == 200);
  check_refusal(send(server, Verb::post, "/api/v1/submissions/" + id + "/share"), 401,
                "unauthorized");
  CHECK(send(server, Verb::post, "/api/v1/submissions/" + id + "/share", "",
             bearer(issued.student_secret))
            .status == 201);
  // An admin is not anonymous either.
  CHECK(submit(server, bearer(test::kTestAdminToken)).status == 202);
}

TEST_CASE("members: anonymous_access off leaves anonymous callers only the page and languages",
          "[http][members]") {
  HttpTestServer server(http::AnonymousAccess::off);
  const access::IssuedClassToken issued = make_class(server);
  for (const char* target : {"/api/v1/problems", "/api/v1/submissions/x"}) {
    INFO(target);
    check_refusal(send(server, Verb::get, target), 401, "unauthorized");
  }
  check_refusal(submit(server), 401, "unauthorized");
  CHECK(send(server, Verb::get, "/api/v1/problems", "", bearer(issued.student_secret)).status ==
        200);
  CHECK(send(server, Verb::get, "/api/v1/languages").status == 200);
  CHECK(send(server, Verb::get, "/healthz").status == 200);
  CHECK(send(server, Verb::get, "/").status == 200);
  CHECK(submit(server, bearer(issued.student_secret)).status == 202);
}

TEST_CASE("hourly quota: minutes leave the window an hour after they began", "[http][members]") {
  http::HourlyQuota quota;
  const auto start = http::HourlyQuota::Clock::time_point(std::chrono::hours(1000));
  using std::chrono::minutes;
  using std::chrono::seconds;
  CHECK_FALSE(quota.take("a", 2, start));
  CHECK_FALSE(quota.take("a", 2, start + minutes(30)));
  // Full: the first minute's submit leaves the window at start + 60 min.
  CHECK(quota.take("a", 2, start + minutes(40)) == 20 * 60);
  CHECK_FALSE(quota.take("b", 2, start + minutes(40)));
  CHECK(quota.take("a", 2, start + minutes(60) - seconds(1)) == 1);
  CHECK_FALSE(quota.take("a", 2, start + minutes(60)));
  // Full again until the submit of minute 30 leaves.
  CHECK(quota.take("a", 2, start + minutes(61)) == 29 * 60);
  quota.give_back("a", start + minutes(61));
  CHECK_FALSE(quota.take("a", 2, start + minutes(61)));
  // No limit counts nothing.
  for (int i = 0; i < 10; ++i) CHECK_FALSE(quota.take("c", 0, start));
}
