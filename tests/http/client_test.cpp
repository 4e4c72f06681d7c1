// The CLI's HTTP client: URL parsing, requests against the real server, and a clear error when
// nobody listens.
#include <catch2/catch.hpp>

#include <boost/asio.hpp>

#include "http/http_client.hpp"
#include "support/http_test_server.hpp"

using namespace ide;

TEST_CASE("server URLs are parsed with Boost.URL", "[http][client]") {
  auto url = http::parse_http_url("http://127.0.0.1:8080");
  REQUIRE(url.has_value());
  CHECK(url->host == "127.0.0.1");
  CHECK(url->port == "8080");
  CHECK(url->path.empty());
  CHECK(url->origin() == "http://127.0.0.1:8080");

  url = http::parse_http_url("http://ide.example.org/s/abc123");
  REQUIRE(url.has_value());
  CHECK(url->port == "80");
  CHECK(url->origin() == "http://ide.example.org");
  CHECK(url->segments == std::vector<std::string>{"s", "abc123"});

  url = http::parse_http_url("http://[::1]:9000/prefix/");
  REQUIRE(url.has_value());
  CHECK(url->host == "[::1]");
  CHECK(url->path == "/prefix");

  CHECK_FALSE(http::parse_http_url("127.0.0.1:8080").has_value());
  CHECK_FALSE(http::parse_http_url("https://ide.example.org").has_value());
  CHECK_FALSE(http::parse_http_url("not a url").has_value());
  CHECK_FALSE(http::HttpClient::create("ftp://x").has_value());
}

TEST_CASE("the client talks to the server", "[http][client]") {
  test::HttpTestServer server;
  auto client = http::HttpClient::create("http://127.0.0.1:" + std::to_string(server.port()));
  REQUIRE(client.has_value());

  auto health = client->get("/healthz");
  REQUIRE(health.has_value());
  CHECK(health->status == 200);
  CHECK(health->body == R"({"status":"ok"})");
  CHECK(health->content_type == "application/json; charset=utf-8");

  auto created = client->post("/api/v1/submissions", R"({"language":"python","code":"x"})");
  REQUIRE(created.has_value());
  CHECK(created->status == 202);

  server.submissions.fail_with(core::ErrorCode::queue_full);
  auto full = client->post("/api/v1/submissions", R"({"language":"python","code":"x"})");
  REQUIRE(full.has_value());
  CHECK(full->status == 503);
  CHECK(full->retry_after.has_value());
}

TEST_CASE("the client reports a server that is not there", "[http][client]") {
  std::uint16_t port = 0;
  {
    // A port that was free a moment ago and has no listener now.
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor(
        ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  auto client = http::HttpClient::create("http://127.0.0.1:" + std::to_string(port));
  REQUIRE(client.has_value());
  auto answer = client->get("/healthz", std::chrono::milliseconds(5'000));
  REQUIRE_FALSE(answer.has_value());
  CHECK(answer.error().code == core::ErrorCode::unavailable);
  CHECK_THAT(answer.error().message, Catch::Contains("127.0.0.1"));
}
