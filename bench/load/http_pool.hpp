// A pool of keep-alive HTTP/1.1 connections to one server, for the load generator. It grows when
// every connection is busy (an open-loop client must never wait for a free one) and never
// shrinks. One pool belongs to one io_context thread: nothing here is thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

namespace ide::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

/// "http://HOST:PORT" (a numeric or resolvable host, no path). Empty when malformed.
std::optional<tcp::endpoint> parse_url(std::string_view url);

/// One answer; `error` set means no complete answer came (connect, write or read failed).
struct Reply {
  boost::system::error_code error;
  unsigned status = 0;
  std::string body;
  std::string etag;
};

class ConnectionPool {
 public:
  ConnectionPool(asio::any_io_executor executor, tcp::endpoint endpoint,
                 std::chrono::seconds timeout = std::chrono::seconds(120));
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  ~ConnectionPool();

  /// Sends one request on an idle connection (a new one if none is idle) and reads the answer.
  /// `body` must outlive the call; it is sent without a copy. A failure on a reused connection
  /// before any answer came (the server closed it while idle) is retried once on a new one.
  asio::awaitable<Reply> exchange(http::verb verb, std::string target, std::string_view body);

  std::size_t opened() const { return opened_; }
  std::size_t retries() const { return retries_; }

 private:
  struct Connection {
    explicit Connection(asio::any_io_executor executor) : stream(executor) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
  };
  struct Outcome {
    Reply reply;
    bool answered = false;  // the answer's header arrived
    bool keep_alive = false;
  };

  asio::awaitable<std::unique_ptr<Connection>> connect(boost::system::error_code& error);
  asio::awaitable<Outcome> round_trip(Connection& connection, http::verb verb,
                                      const std::string& target, std::string_view body);

  asio::any_io_executor executor_;
  tcp::endpoint endpoint_;
  std::string host_header_;
  std::chrono::seconds timeout_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t opened_ = 0;
  std::size_t retries_ = 0;
};

}  // namespace ide::bench
