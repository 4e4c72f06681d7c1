// GET /api/v1/submissions/{id}/stream: the real server on loopback with the fakes, driven by a
// Beast WebSocket client. Frames as docs/API.md lists them, the refusals, and the limits.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "support/http_test_server.hpp"
#include "support/stream_client.hpp"
#include "test_client.hpp"

using namespace ide;
using namespace std::chrono_literals;
using test::HttpTestServer;
using test::StreamClient;

namespace {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string submit(HttpTestServer& server) {
  boost::json::object body{{"language", "python"}, {"code", "print(1)"}, {"interactive", true}};
  test::Answer answer =
      test::post(server.port(), "/api/v1/submissions", boost::json::serialize(body));
  REQUIRE(answer.status == 202);
  return std::string(answer.json().at("id").as_string());
}

result::RunResult done_run(const std::string& id, std::string stdout_data) {
  result::RunResult run;
  run.id = id;
  run.status = result::Status::done;
  run.verdict = result::Verdict::ok;
  run.exit_code = 0;
  run.stdout_data = std::move(stdout_data);
  run.finished_at = run.created_at;
  return run;
}

/// Waits (bounded) until `id` has received `bytes` on stdin.
bool stdin_arrives(HttpTestServer& server, const std::string& id, const std::string& bytes) {
  for (int i = 0; i < 200; ++i) {
    if (server.results.stdin_received(id).first == bytes) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

TEST_CASE("a stream relays output as it comes, takes stdin and ends with the result",
          "[http][stream]") {
  HttpTestServer server;
  const std::string id = submit(server);
  CHECK(server.submissions.get(id)->interactive);  // the submit's flag reached the submission
  server.results.set_status(id, result::Status::running);
  server.results.set_interactive(id);
  server.results.add_live(id, result::LiveStream::stdout_stream, "name?\n");
  StreamClient client(server.port(), id);
  REQUIRE_FALSE(client.refusal);

  auto first = client.next();
  REQUIRE(first);
  CHECK(*first == boost::json::object{{"type", "stdout"}, {"data", "name?\n"}});
  client.send({{"type", "stdin"}, {"data", "Ada\n"}});
  CHECK(stdin_arrives(server, id, "Ada\n"));

  server.results.add_live(id, result::LiveStream::stderr_stream, std::string("\xff", 1));
  auto second = client.next();
  INFO(client.closed_with.message());
  REQUIRE(second);
  CHECK(second->at("type") == "stderr");
  CHECK(second->at("data") == boost::json::object{{"base64", "/w=="}});

  client.send({{"type", "close_stdin"}});
  for (int i = 0; i < 200 && !server.results.stdin_received(id).second; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK(server.results.stdin_received(id).second);
  client.send({{"type", "stdin"}, {"data", "late\n"}});
  auto refused = client.next();
  INFO(client.closed_with.message());
  REQUIRE(refused);
  CHECK(refused->at("type") == "error");
  CHECK(refused->at("reason") == "ended");

  server.results.set(done_run(id, "name?\nhello Ada\n"));
  auto last = client.next();
  REQUIRE(last);
  CHECK(last->at("type") == "result");
  const test::Answer result = test::get(server.port(), "/api/v1/submissions/" + id + "/result");
  CHECK(last->at("result") == result.json());
  CHECK_FALSE(client.next());
  CHECK(client.closed_with == websocket::error::closed);
}

TEST_CASE("a finished submission's stream answers its result at once", "[http][stream]") {
  HttpTestServer server;
  const std::string id = submit(server);
  server.results.add_live(id, result::LiveStream::stdout_stream, "old\n");
  server.results.set(done_run(id, "old\n"));
  StreamClient client(server.port(), id);
  REQUIRE_FALSE(client.refusal);
  auto only = client.next();
  REQUIRE(only);
  CHECK(only->at("type") == "result");
  CHECK(only->at("result").at("stdout") == "old\n");
  CHECK_FALSE(client.next());
}

TEST_CASE("stream refusals: unknown id, no upgrade, bad and oversized messages", "[http][stream]") {
  HttpTestServer server;
  StreamClient unknown(server.port(), "AAAAAAAAAAAAAAAAAAAAAA");
  REQUIRE(unknown.refusal);
  CHECK(unknown.refusal->result_int() == 404);
  CHECK(boost::json::parse(unknown.refusal->body()).at("error").at("code") == "not_found");

  const std::string id = submit(server);
  const test::Answer plain = test::get(server.port(), "/api/v1/submissions/" + id + "/stream");
  CHECK(plain.status == 426);
  CHECK(plain.error_code() == "invalid_request");

  server.results.set_status(id, result::Status::running);
  StreamClient client(server.port(), id);
  REQUIRE_FALSE(client.refusal);
  client.send_raw("not json");
  auto bad = client.next();
  REQUIRE(bad);
  CHECK(bad->at("reason") == "bad_message");
  client.send({{"type", "stdin"}, {"data", "x"}});
  auto not_interactive = client.next();
  REQUIRE(not_interactive);
  CHECK(not_interactive->at("reason") == "not_interactive");
  // Over the message limit (128 KiB): the server closes (with 1009, or a reset while the
  // client still writes).
  client.send_raw(std::string(200 * 1024, 'x'));
  CHECK_FALSE(client.next());
  CHECK(client.closed_with);
}

TEST_CASE("streams beyond max_websockets are refused with 503", "[http][stream]") {
  http::ServerOptions options = HttpTestServer::small_options();
  options.max_websockets = 1;
  HttpTestServer server(options);
  const std::string id = submit(server);
  server.results.set_status(id, result::Status::running);
  StreamClient first(server.port(), id);
  REQUIRE_FALSE(first.refusal);
  StreamClient second(server.port(), id);
  REQUIRE(second.refusal);
  CHECK(second.refusal->result_int() == 503);
}

TEST_CASE("a silent stream client is closed after the idle timeout", "[http][stream]") {
  http::ServerOptions options = HttpTestServer::small_options();
  options.websocket_idle_timeout = 1s;
  HttpTestServer server(options);
  const std::string id = submit(server);
  server.results.set_status(id, result::Status::running);
  // A raw TCP client: it sends the handshake and then never reads nor answers pings.
  net::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  const std::string handshake =
      "GET /api/v1/submissions/" + id +
      "/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  net::write(socket, net::buffer(handshake));
  const auto started = std::chrono::steady_clock::now();
  std::string received;
  beast::error_code ec;
  std::array<char, 4096> buffer{};
  while (!ec && std::chrono::steady_clock::now() - started < 10s) {
    received.append(buffer.data(), socket.read_some(net::buffer(buffer), ec));
  }
  CHECK(received.rfind("HTTP/1.1 101", 0) == 0);
  CHECK(ec == net::error::eof);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}
