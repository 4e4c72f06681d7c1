// Class tokens over the v1 API on the real Beast server and the real access module on a temp
// dir: only an admin creates, lists, reads and revokes them; the secrets are answered once,
// never listed, and authenticate with their roles; every malformed body is refused by name.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::Headers;
using test::HttpTestServer;
using Verb = boost::beast::http::verb;

namespace {

Headers admin() { return {{"Authorization", "Bearer " + std::string(test::kTestAdminToken)}}; }

Answer send(const HttpTestServer& server, Verb verb, const std::string& target,
            std::string body = "", const Headers& headers = {}) {
  return test::Connection(server.port()).request(verb, target, std::move(body), headers);
}

Answer create(const HttpTestServer& server, const std::string& body) {
  Answer created = send(server, Verb::post, "/api/v1/classes", body, admin());
  REQUIRE(created.status == 201);
  return created;
}

}  // namespace

TEST_CASE("classes: an admin creates one and gets both secrets, once", "[http][classes]") {
  HttpTestServer server;
  Answer created = create(server, R"({"name": "CS101", "quota_per_hour": 30, "max_queued": 3,
                                      "expires_at": "2099-01-31T12:00:00+01:00"})");
  CHECK(created.header("cache-control") == "no-store");
  const boost::json::value body = created.json();
  CHECK(test::str(body.at("name")) == "CS101");
  CHECK(body.at("quota_per_hour") == 30);
  CHECK(body.at("max_queued") == 3);
  CHECK(test::str(body.at("expires_at")) == "2099-01-31T11:00:00.000Z");
  CHECK(core::from_rfc3339(test::str(body.at("created_at"))).has_value());
  const std::string student = test::str(body.at("token"));
  const std::string owner = test::str(body.at("owner_token"));
  CHECK(student.starts_with("ide_cls_"));
  CHECK(owner.starts_with("ide_own_"));
  auto bearer = server.access->authenticate(student);
  REQUIRE(bearer.has_value());
  CHECK(bearer->role == access::Role::student);
  CHECK(bearer->token.id == test::str(body.at("id")));
  CHECK(server.access->authenticate(owner)->role == access::Role::owner);

  Answer minimal = create(server, R"({"name": "CS102"})");
  CHECK(minimal.json().at("quota_per_hour") == 0);
  CHECK(minimal.json().at("max_queued") == 0);
  CHECK(minimal.json().at("expires_at").is_null());
}

TEST_CASE("classes: listing and reading show no secret, and delete revokes", "[http][classes]") {
  HttpTestServer server;
  const boost::json::value first = create(server, R"({"name": "first"})").json();
  // Classes made in the same millisecond list in id order: make the second one later.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  create(server, R"({"name": "second"})");
  const std::string id = test::str(first.at("id"));

  Answer list = send(server, Verb::get, "/api/v1/classes", "", admin());
  REQUIRE(list.status == 200);
  const boost::json::value listed = list.json();
  const boost::json::array& classes = listed.at("classes").as_array();
  REQUIRE(classes.size() == 2);
  CHECK(classes.at(0).at("id") == id.c_str());
  CHECK(test::str(classes.at(1).at("name")) == "second");
  for (const char* secret : {"token", "owner_token"}) {
    CHECK_FALSE(classes.at(0).as_object().contains(secret));
    CHECK(list.body.find(test::str(first.at(secret))) == std::string::npos);
  }
  Answer one = send(server, Verb::get, "/api/v1/classes/" + id, "", admin());
  REQUIRE(one.status == 200);
  CHECK(test::str(one.json().at("name")) == "first");
  CHECK_FALSE(one.json().as_object().contains("token"));

  CHECK(send(server, Verb::delete_, "/api/v1/classes/" + id, "", admin()).status == 204);
  CHECK(send(server, Verb::get, "/api/v1/classes/" + id, "", admin()).status == 404);
  CHECK(send(server, Verb::delete_, "/api/v1/classes/" + id, "", admin()).status == 404);
  CHECK_FALSE(server.access->authenticate(test::str(first.at("token"))).has_value());
  CHECK(send(server, Verb::get, "/api/v1/classes", "", admin())
            .json()
            .at("classes")
            .as_array()
            .size() == 1);
}

TEST_CASE("classes: every route needs the admin token, and a class token is not one",
          "[http][classes]") {
  HttpTestServer server;
  const boost::json::value made = create(server, R"({"name": "CS101"})").json();
  const std::string id = test::str(made.at("id"));
  const Headers owner{{"Authorization", "Bearer " + test::str(made.at("owner_token"))}};
  const std::vector<Headers> refused_callers = {
      Headers{}, Headers{{"Authorization", "Bearer wrong-token-0123456789"}},
      Headers{{"Authorization", std::string(test::kTestAdminToken)}}, owner};
  for (const Headers& headers : refused_callers) {
    Answer refused = send(server, Verb::post, "/api/v1/classes", R"({"name": "x"})", headers);
    CHECK(refused.status == 401);
    CHECK(refused.error_code() == "unauthorized");
    CHECK(refused.error_message().find("class tokens") != std::string::npos);
    CHECK(refused.header("www-authenticate") == "Bearer");
    CHECK(send(server, Verb::get, "/api/v1/classes", "", headers).status == 401);
    // Its owner may read the class (tests/http/class_view_test.cpp), nobody else.
    if (headers != owner) {
      CHECK(send(server, Verb::get, "/api/v1/classes/" + id, "", headers).status == 401);
    }
    CHECK(send(server, Verb::delete_, "/api/v1/classes/" + id, "", headers).status == 401);
  }
  CHECK(server.access->list()->size() == 1);
}

TEST_CASE("classes: a malformed body is refused naming its field, and keeps nothing",
          "[http][classes]") {
  HttpTestServer server;
  const auto refusal = [&](const std::string& body) {
    Answer answer = send(server, Verb::post, "/api/v1/classes", body, admin());
    return std::to_string(answer.status) + " " + answer.error_message();
  };
  CHECK(refusal(R"({})") == "400 Field 'name' is required.");
  CHECK(refusal(R"({"name": 7})").starts_with("400 Field 'name' must be a string"));
  CHECK(refusal(R"({"name": ""})") == "400 name must be 1 to 100 bytes.");
  CHECK(refusal(R"({"name": "c", "quota_per_hour": "many"})")
            .starts_with("400 Field 'quota_per_hour' must be an integer"));
  CHECK(refusal(R"({"name": "c", "quota_per_hour": -1})")
            .starts_with("400 quota_per_hour must be 0"));
  CHECK(refusal(R"({"name": "c", "max_queued": -2})").starts_with("400 max_queued must be 0"));
  CHECK(refusal(R"({"name": "c", "expires_at": "2099-01-31"})")
            .starts_with("400 Field 'expires_at' must be an RFC 3339 time"));
  CHECK(refusal(R"({"name": "c", "expires_at": 4102444800})")
            .starts_with("400 Field 'expires_at' must be a string"));
  CHECK(refusal(R"({"name": "c", "expires_at": "2001-01-01T00:00:00Z"})") ==
        "400 expires_at must be in the future.");
  CHECK(refusal("not json").starts_with("400 "));
  CHECK(server.access->list()->empty());
}
