// One client cannot take the server (issue 9, item 3), over real loopback sockets: the per-client
// cap on open connections (a second client, from 127.0.0.2, is still served), the per-client cap
// on unfinished submissions, and who the client is behind a trusted reverse proxy
// (X-Forwarded-For believed only from trusted_proxies). Also the client-address helpers.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "http/client_address.hpp"
#include "http/client_jobs.hpp"
#include "support/fakes/fake_result_service.hpp"
#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::Connection;
using test::HttpTestServer;
using Verb = boost::beast::http::verb;

namespace {

const std::string kSubmit = R"json({"language":"python","code":"print(1)"})json";

void check_refusal(const Answer& answer, unsigned status, const std::string& code) {
  INFO(answer.body);
  CHECK(answer.status == status);
  CHECK(answer.error_code() == code);
  CHECK_FALSE(answer.error_message().empty());
  CHECK_FALSE(answer.header("retry-after").empty());
}

Answer submit_from(std::uint16_t port, const std::string& forwarded_for = "",
                   std::string_view local_address = "127.0.0.1") {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!forwarded_for.empty()) headers.emplace_back("X-Forwarded-For", forwarded_for);
  return Connection(port, local_address)
      .request(Verb::post, "/api/v1/submissions", kSubmit, headers);
}

/// Polls `condition` for up to 10 s.
template <typename F>
bool eventually(F condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

http::IpAddress ip(const char* text) { return boost::asio::ip::make_address(text); }

}  // namespace

TEST_CASE("one client's idle half-sent requests do not lock out another client",
          "[http][server][clients]") {
  auto options = HttpTestServer::small_options();
  options.max_connections = 12;
  options.max_connections_per_client = 4;
  options.header_timeout = std::chrono::milliseconds(20'000);
  HttpTestServer server(options);

  // As many idle connections as the whole server allows, each with a request cut short.
  std::vector<std::unique_ptr<Connection>> flood;
  for (std::size_t i = 0; i < options.max_connections; ++i) {
    flood.push_back(std::make_unique<Connection>(server.port(), "127.0.0.1"));
    flood.back()->send_raw("POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Len");
  }
  Connection other(server.port(), "127.0.0.2");
  CHECK(other.request(Verb::get, "/healthz").status == 200);
  CHECK(other.request(Verb::post, "/api/v1/submissions", kSubmit).status == 202);

  // Accepted in order: those beyond the client's cap were told why and closed.
  for (std::size_t i = options.max_connections_per_client; i < flood.size(); ++i) {
    check_refusal(flood[i]->read(), 429, "rate_limited");
    CHECK(flood[i]->closed_by_server());
  }

  // Closing one of its connections gives the first client its place back.
  flood.front().reset();
  CHECK(eventually([&] {
    Connection again(server.port(), "127.0.0.1");
    again.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    return again.read().status == 200;
  }));
}

TEST_CASE("a trusted proxy's connections are not capped per client", "[http][server][clients]") {
  auto options = HttpTestServer::small_options();
  options.max_connections_per_client = 2;
  options.trusted_proxies = {"127.0.0.0/30"};
  options.header_timeout = std::chrono::milliseconds(20'000);
  HttpTestServer server(options);
  std::vector<std::unique_ptr<Connection>> proxied;
  for (int i = 0; i < 5; ++i) {
    proxied.push_back(std::make_unique<Connection>(server.port(), "127.0.0.1"));
    CHECK(proxied.back()->request(Verb::get, "/healthz").status == 200);
  }
  // An untrusted peer still is.
  Connection first(server.port(), "127.0.0.9");
  Connection second(server.port(), "127.0.0.9");
  CHECK(first.request(Verb::get, "/healthz").status == 200);
  CHECK(second.request(Verb::get, "/healthz").status == 200);
  Connection third(server.port(), "127.0.0.9");
  third.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  check_refusal(third.read(), 429, "rate_limited");
}

TEST_CASE("a spoofed X-Forwarded-For from an untrusted peer does not dodge the rate limit",
          "[http][server][clients]") {
  auto options = HttpTestServer::small_options();
  options.rate_limit_per_minute = 1;
  options.rate_limit_burst = 2;
  HttpTestServer server(options);
  CHECK(submit_from(server.port(), "198.51.100.1").status == 202);
  CHECK(submit_from(server.port(), "198.51.100.2").status == 202);
  check_refusal(submit_from(server.port(), "198.51.100.3"), 429, "rate_limited");
  // The limit is the peer's: another peer is not limited.
  CHECK(submit_from(server.port(), "", "127.0.0.2").status == 202);
}

TEST_CASE("behind a trusted proxy X-Forwarded-For names the client", "[http][server][clients]") {
  auto options = HttpTestServer::small_options();
  options.rate_limit_per_minute = 1;
  options.rate_limit_burst = 2;
  options.trusted_proxies = {"127.0.0.1", "10.0.0.0/8"};
  HttpTestServer server(options);
  CHECK(submit_from(server.port(), "203.0.113.7").status == 202);
  // The right-most untrusted hop counts, whatever the client wrote to its left, and whichever
  // trusted proxies the request passed through after it.
  CHECK(submit_from(server.port(), "192.0.2.55, 203.0.113.7, 10.1.2.3").status == 202);
  check_refusal(submit_from(server.port(), "192.0.2.99,203.0.113.7"), 429, "rate_limited");
  // Other clients behind the same proxy are not limited by that one.
  CHECK(submit_from(server.port(), "203.0.113.8").status == 202);
  CHECK(submit_from(server.port(), "[2001:db8::1]:4711").status == 202);
  // Without the header the proxy itself is the client.
  CHECK(submit_from(server.port()).status == 202);
}

TEST_CASE("a client's unfinished submissions are capped until one is done",
          "[http][server][clients]") {
  HttpTestServer server(HttpTestServer::small_options(), "", {}, 2);
  server.submissions.hand_off_with(
      [&](const std::string& id) { return server.results.enqueue(id); });

  const Answer first = submit_from(server.port());
  REQUIRE(first.status == 202);
  REQUIRE(submit_from(server.port()).status == 202);
  const Answer refused = submit_from(server.port());
  check_refusal(refused, 429, "rate_limited");
  CHECK(refused.error_message().find("queued or running") != std::string::npos);
  // Another client has its own places.
  CHECK(submit_from(server.port(), "", "127.0.0.2").status == 202);

  // Running still counts; done frees the place.
  const std::string id(first.json().at("id").as_string());
  server.results.set_status(id, result::Status::running);
  check_refusal(submit_from(server.port()), 429, "rate_limited");
  server.results.set_status(id, result::Status::done);
  REQUIRE(eventually([&] { return server.client_jobs.unfinished("127.0.0.1") == 1; }));
  CHECK(submit_from(server.port()).status == 202);
  check_refusal(submit_from(server.port()), 429, "rate_limited");
}

TEST_CASE("a refused submit does not keep a client's place", "[http][server][clients]") {
  HttpTestServer server(HttpTestServer::small_options(), "", {}, 1);
  server.submissions.hand_off_with(
      [&](const std::string& id) { return server.results.enqueue(id); });
  server.results.fail_enqueue_with(core::ErrorCode::queue_full);
  CHECK(submit_from(server.port()).status == 503);
  server.results.fail_enqueue_with(std::nullopt);
  CHECK(Connection(server.port()).request(Verb::post, "/api/v1/submissions", "{").status == 400);
  CHECK(server.client_jobs.unfinished("127.0.0.1") == 0);
  CHECK(submit_from(server.port()).status == 202);
  CHECK(server.client_jobs.unfinished("127.0.0.1") == 1);
}

TEST_CASE("the client is the peer unless a trusted proxy forwarded it", "[http][clients]") {
  const auto trusted = *http::AddressSet::parse({"10.0.0.0/8", "::1", "fd00::/8"});
  using http::client_address;
  CHECK(client_address(ip("192.0.2.1"), "203.0.113.1", trusted) == ip("192.0.2.1"));
  CHECK(client_address(ip("10.0.0.1"), "203.0.113.1", trusted) == ip("203.0.113.1"));
  CHECK(client_address(ip("10.0.0.1"), "", trusted) == ip("10.0.0.1"));
  CHECK(client_address(ip("10.0.0.1"), "1.1.1.1, 203.0.113.1 ,10.9.9.9", trusted) ==
        ip("203.0.113.1"));
  // Every hop trusted: the left-most is the client.
  CHECK(client_address(ip("::1"), "10.1.1.1,fd00::5", trusted) == ip("10.1.1.1"));
  // A hop that is not an address ends the walk at the last one known.
  CHECK(client_address(ip("10.0.0.1"), "203.0.113.1, unknown", trusted) == ip("10.0.0.1"));
  CHECK(client_address(ip("10.0.0.1"), "203.0.113.1,", trusted) == ip("10.0.0.1"));
  CHECK(client_address(ip("::ffff:10.0.0.1"), "203.0.113.1:8080", trusted) == ip("203.0.113.1"));
}

TEST_CASE("client keys group an IPv6 host's /64, bad proxy entries are named", "[http][clients]") {
  CHECK(http::client_key(ip("192.0.2.1")) == "192.0.2.1");
  CHECK(http::client_key(ip("::ffff:192.0.2.1")) == "192.0.2.1");
  CHECK(http::client_key(ip("2001:db8:1:2:aaaa::1")) == http::client_key(ip("2001:db8:1:2::9")));
  CHECK(http::client_key(ip("2001:db8:1:2::1")) != http::client_key(ip("2001:db8:1:3::1")));
  const auto bad = http::AddressSet::parse({"10.0.0.1", "10.0.0.0/33"});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == core::ErrorCode::invalid_argument);
  CHECK(bad.error().message.find("10.0.0.0/33") != std::string::npos);
  CHECK_FALSE(http::AddressSet::parse({"proxy.example"}));
  const auto set = *http::AddressSet::parse({"192.168.1.0/24", "2001:db8::/32"});
  CHECK(set.contains(ip("192.168.1.200")));
  CHECK(set.contains(ip("::ffff:192.168.1.7")));
  CHECK_FALSE(set.contains(ip("192.168.2.1")));
  CHECK(set.contains(ip("2001:db8:ffff::1")));
  CHECK_FALSE(set.contains(ip("2001:db9::1")));
}

TEST_CASE("a trusted_proxies entry that is no address stops the server from starting",
          "[http][server][clients]") {
  auto options = HttpTestServer::small_options();
  options.trusted_proxies = {"not-an-ip"};
  http::Server server(options, http::Router());
  auto started = server.start();
  REQUIRE_FALSE(started);
  CHECK(started.error().message.find("not-an-ip") != std::string::npos);
}

TEST_CASE("a watched job still unfinished after a whole wait is asked about again",
          "[http][clients]") {
  test::LongPollResultService results;
  http::ClientJobLimit jobs(results, 1, std::chrono::milliseconds(20));
  REQUIRE(results.enqueue("job1"));
  auto slot = jobs.reserve("client");
  REQUIRE(slot);
  slot->commit("job1");
  CHECK(eventually([&] { return results.get_calls() >= 3; }));
  CHECK(jobs.unfinished("client") == 1);
  CHECK_FALSE(jobs.reserve("client"));
  results.set_status("job1", result::Status::done);
  CHECK(eventually([&] { return jobs.unfinished("client") == 0; }));
}

TEST_CASE("a job the module answers early or forgets gives its place back", "[http][clients]") {
  // The fake answers "queued" at once whatever the wait, as a stopping module does: asking
  // again would loop, so the place is given back.
  test::FakeResultService stopping;
  http::ClientJobLimit jobs(stopping, 1);
  REQUIRE(stopping.enqueue("job1"));
  jobs.reserve("client")->commit("job1");
  CHECK(jobs.unfinished("client") == 0);
  // Not found: never handed off, or purged.
  jobs.reserve("client")->commit("unknown");
  CHECK(jobs.unfinished("client") == 0);
  // A slot dropped without commit() frees its place too.
  { auto slot = jobs.reserve("client"); }
  CHECK(jobs.unfinished("client") == 0);
}
