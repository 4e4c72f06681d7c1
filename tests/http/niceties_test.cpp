// HTTP niceties (issue 11, item 6) on the real server over loopback: HEAD wherever GET is,
// OPTIONS with Allow, gzip of large textual answers to clients that accept it, and CORS for the
// configured origins only (off by default).
#include <zlib.h>

#include <catch2/catch.hpp>

#include "http/content_coding.hpp"
#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::Connection;
using test::HttpTestServer;
using Verb = boost::beast::http::verb;

namespace {

std::string gunzip(const std::string& data) {
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, 15 + 16) == Z_OK);
  std::string out;
  char chunk[16384];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - stream.avail_out);
  }
  inflateEnd(&stream);
  REQUIRE(status == Z_STREAM_END);
  return out;
}

/// A done submission whose result body is `stdout_bytes` long and more.
std::string large_result(HttpTestServer& server, std::size_t stdout_bytes) {
  Answer submitted = test::post(server.port(), "/api/v1/submissions",
                                R"j({"language": "python", "code": "print(1)"})j");
  REQUIRE(submitted.status == 202);
  const std::string id(submitted.json().at("id").as_string());
  result::RunResult run;
  run.id = id;
  run.status = result::Status::done;
  run.verdict = result::Verdict::ok;
  run.exit_code = 0;
  run.stdout_data = std::string(stdout_bytes, 'x');
  run.created_at = core::from_unix_ms(1'700'000'000'000);
  run.finished_at = core::from_unix_ms(1'700'000'001'000);
  server.results.set(run);
  return "/api/v1/submissions/" + id + "/result";
}

http::ServerOptions with_cors(std::vector<std::string> origins) {
  http::ServerOptions options = HttpTestServer::small_options();
  options.cors_origins = std::move(origins);
  return options;
}

}  // namespace

TEST_CASE("HEAD answers GET's status and headers without the body", "[http][niceties]") {
  HttpTestServer server;
  const std::string target = large_result(server, 5000);
  Connection connection(server.port());
  const Answer got = connection.request(Verb::get, target);
  const Answer head = connection.request(Verb::head, target);
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.header("content-length") == std::to_string(got.body.size()));
  CHECK(head.header("content-type") == got.header("content-type"));
  CHECK(head.header("etag") == got.header("etag"));
  // No stray body bytes came: the connection still reads the next answer cleanly.
  CHECK(connection.request(Verb::get, "/healthz").json().at("status") == "ok");
  CHECK(connection.request(Verb::head, "/").status == 200);
  CHECK(connection.request(Verb::head, "/api/v1/submissions").status == 405);
}

TEST_CASE("OPTIONS says what a path allows, without CORS it grants no origin", "[http][niceties]") {
  HttpTestServer server;
  Connection connection(server.port());
  Answer answer = connection.request(
      Verb::options, "/api/v1/submissions", "",
      {{"Origin", "https://elsewhere.example"}, {"Access-Control-Request-Method", "POST"}});
  CHECK(answer.status == 204);
  CHECK(answer.header("allow") == "POST, OPTIONS");
  CHECK(answer.header("access-control-allow-origin").empty());
  answer = connection.request(Verb::get, "/healthz", "", {{"Origin", "https://elsewhere.example"}});
  CHECK(answer.status == 200);
  CHECK(answer.header("access-control-allow-origin").empty());
  CHECK(connection.request(Verb::options, "/nothing/here").status == 404);
}

TEST_CASE("CORS: a configured origin is granted, with a preflight, others are not",
          "[http][niceties]") {
  HttpTestServer server(with_cors({"https://lms.example.edu"}));
  Connection connection(server.port());
  Answer preflight = connection.request(Verb::options, "/api/v1/submissions", "",
                                        {{"Origin", "https://lms.example.edu"},
                                         {"Access-Control-Request-Method", "POST"},
                                         {"Access-Control-Request-Headers", "content-type"}});
  CHECK(preflight.status == 204);
  CHECK(preflight.header("access-control-allow-origin") == "https://lms.example.edu");
  CHECK(preflight.header("access-control-allow-methods") == "POST, OPTIONS");
  CHECK(preflight.header("access-control-allow-headers").find("Content-Type") != std::string::npos);
  CHECK(preflight.header("access-control-max-age") == "600");
  CHECK(preflight.header("vary") == "Origin");

  Answer submitted = connection.request(Verb::post, "/api/v1/submissions",
                                        R"j({"language": "python", "code": "print(1)"})j",
                                        {{"Origin", "https://lms.example.edu"}});
  CHECK(submitted.status == 202);
  CHECK(submitted.header("access-control-allow-origin") == "https://lms.example.edu");
  CHECK(submitted.header("access-control-expose-headers").find("ETag") != std::string::npos);

  Answer other =
      connection.request(Verb::get, "/healthz", "", {{"Origin", "https://evil.example"}});
  CHECK(other.status == 200);
  CHECK(other.header("access-control-allow-origin").empty());

  HttpTestServer any(with_cors({"*"}));
  Answer wildcard = test::Connection(any.port())
                        .request(Verb::get, "/healthz", "", {{"Origin", "https://a.example"}});
  CHECK(wildcard.header("access-control-allow-origin") == "*");
  CHECK(wildcard.header("vary").empty());
}

TEST_CASE("large answers are gzipped for clients that accept it, small ones never",
          "[http][niceties]") {
  HttpTestServer server;
  const std::string target = large_result(server, 200'000);
  Connection connection(server.port());
  const Answer identity = connection.request(Verb::get, target);
  CHECK(identity.header("content-encoding").empty());
  CHECK(identity.header("vary") == "Accept-Encoding");

  const Answer zipped =
      connection.request(Verb::get, target, "", {{"Accept-Encoding", "gzip, br"}});
  CHECK(zipped.status == 200);
  CHECK(zipped.header("content-encoding") == "gzip");
  CHECK(zipped.header("vary") == "Accept-Encoding");
  CHECK(zipped.body.size() < identity.body.size() / 20);
  CHECK(gunzip(zipped.body) == identity.body);
  // Not the identity encoding's bytes: the tag is weak, and still validates the result.
  CHECK(zipped.header("etag") == "W/" + identity.header("etag"));
  const Answer cached =
      connection.request(Verb::get, target, "",
                         {{"Accept-Encoding", "gzip"}, {"If-None-Match", zipped.header("etag")}});
  CHECK(cached.status == 304);

  const Answer refused =
      connection.request(Verb::get, target, "", {{"Accept-Encoding", "gzip;q=0, identity"}});
  CHECK(refused.header("content-encoding").empty());
  CHECK(refused.body == identity.body);
  const Answer small = connection.request(Verb::get, "/healthz", "", {{"Accept-Encoding", "gzip"}});
  CHECK(small.header("content-encoding").empty());
  CHECK(small.json().at("status") == "ok");
}

TEST_CASE("Accept-Encoding is read as RFC 9110 says", "[http][niceties]") {
  CHECK(http::accepts_gzip("gzip"));
  CHECK(http::accepts_gzip("deflate, GZIP;q=0.5"));
  CHECK(http::accepts_gzip("x-gzip"));
  CHECK(http::accepts_gzip("*"));
  CHECK_FALSE(http::accepts_gzip(""));
  CHECK_FALSE(http::accepts_gzip("br, deflate"));
  CHECK_FALSE(http::accepts_gzip("gzip;q=0"));
  CHECK_FALSE(http::accepts_gzip("gzip;q=zero"));
}
