// The transport's retries against a tiny loopback server that drops the first connection it
// accepts and answers every later one: an idempotent call is sent again and succeeds, submit_code
// is not (its fate is unknown, and a second try could keep the submission twice).
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include <boost/asio.hpp>

#include "remote_support.hpp"

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

/// Accepts connections on a loopback port; drops the first one unread, answers each request of
/// the others with `answer_body` as an internal answer.
class DroppingServer {
 public:
  explicit DroppingServer(std::string answer_body)
      : answer_body_(std::move(answer_body)),
        acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)),
        thread_([this] { serve(); }) {}
  ~DroppingServer() {
    stopping_ = true;
    // Wakes the blocking accept.
    boost::system::error_code ignored;
    tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  int connections() const { return connections_; }

 private:
  void serve() {
    while (!stopping_) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      if (++connections_ == 1) continue;  // dropped: the socket closes here
      answer(socket);
    }
  }

  void answer(tcp::socket& socket) {
    boost::system::error_code ec;
    net::streambuf request;
    net::read_until(socket, request, "\r\n\r\n", ec);
    const std::string response =
        "HTTP/1.1 200 OK\r\nIde-Internal: v1\r\nConnection: close\r\nContent-Length: " +
        std::to_string(answer_body_.size()) + "\r\n\r\n" + answer_body_;
    net::write(socket, net::buffer(response), ec);
  }

  const std::string answer_body_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("an idempotent call is retried after a dropped connection", "[remote]") {
  DroppingServer server(R"({"exists":true})");
  ide::remote::RemoteSubmissionService submissions(
      ide::test::transport_to(server.url(), "submission"));
  auto exists = submissions.exists("some-id");
  REQUIRE(exists);
  CHECK(*exists);
  CHECK(server.connections() == 2);
}

TEST_CASE("submit_code is never retried", "[remote]") {
  DroppingServer server(R"({"id":"would-be-a-second-copy"})");
  ide::remote::RemoteSubmissionService submissions(
      ide::test::transport_to(server.url(), "submission"));
  auto id = submissions.submit_code(
      {.language = "bash", .code = "echo hi", .stdin_data = "", .limits = {}});
  REQUIRE_FALSE(id);
  CHECK(id.error().code == ide::core::ErrorCode::unavailable);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(server.connections() == 1);
}

TEST_CASE("a base URL that is not http://host:port is refused", "[remote]") {
  for (const char* url : {"https://a:1", "http://", "http://a:0", "http://a:x", "a:80"}) {
    INFO(url);
    CHECK_FALSE(ide::remote::Transport::create({.base_url = url, .module = "url"}));
  }
  CHECK(ide::remote::Transport::create({.base_url = "http://[::1]:8080/", .module = "url"}));
}
