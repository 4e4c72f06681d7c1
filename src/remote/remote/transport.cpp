#include "remote/transport.hpp"

#include <optional>
#include <thread>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "core/config.hpp"
#include "core/json.hpp"
#include "remote/codec.hpp"

namespace ide::remote {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Transport::Connection {
  net::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool connected = false;
};

namespace {

using RequestMessage = bhttp::request<bhttp::string_body>;
using ResponseParser = bhttp::response_parser<bhttp::string_body>;

// A finished result whose program filled its output caps is tens of MB as JSON.
constexpr std::uint64_t kMaxAnswerBytes = 1024ull * 1024 * 1024;

/// One request and its answer on a connection, as one chain of asynchronous steps that a single
/// io_context::run() completes: stopping the io_context ends it at any step, from any thread.
class Exchange {
 public:
  Exchange(Transport::Connection& connection, const RequestMessage& request)
      : connection_(connection), request_(request) {}

  /// Runs the exchange (connecting first to `endpoints` when the connection is new) until it is
  /// done, `timeout` passed or `stop` was requested. Then done() tells whether it completed.
  void run(const tcp::resolver::results_type& endpoints, std::chrono::milliseconds timeout,
           const std::stop_token& stop) {
    connection_.io.restart();
    connection_.stream.expires_after(timeout);
    if (connection_.connected) {
      write();
    } else {
      connection_.stream.async_connect(endpoints,
                                       [this](beast::error_code ec, const tcp::endpoint&) {
                                         if (ec) return finish(ec);
                                         connection_.connected = true;
                                         write();
                                       });
    }
    std::stop_callback on_stop(stop, [this] { connection_.io.stop(); });
    connection_.io.run();
  }

  bool done() const { return finished_ && !ec_; }
  std::string failure() const {
    if (!finished_) return "the call was stopped";
    return ec_ == beast::error::timeout ? std::string("no answer in time") : ec_.message();
  }
  bhttp::response<bhttp::string_body>& response() { return parser_->get(); }

 private:
  void write() {
    bhttp::async_write(connection_.stream, request_, [this](beast::error_code ec, std::size_t) {
      if (ec) return finish(ec);
      read();
    });
  }
  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxAnswerBytes);
    bhttp::async_read(connection_.stream, connection_.buffer, *parser_,
                      [this](beast::error_code ec, std::size_t) { finish(ec); });
  }
  void finish(beast::error_code ec) {
    ec_ = ec;
    finished_ = true;
  }

  Transport::Connection& connection_;
  const RequestMessage& request_;
  std::optional<ResponseParser> parser_;
  beast::error_code ec_;
  bool finished_ = false;
};

/// What an answer means. Only an answer marked as the internal API is trusted to carry the
/// module's own error; anything else is a deployment problem, reported as unavailable.
core::Result<boost::json::value> interpret(const bhttp::response<bhttp::string_body>& answer,
                                           const std::string& where) {
  const unsigned status = answer.result_int();
  const auto marker = answer[kInternalHeader];
  if (std::string_view(marker.data(), marker.size()) != kInternalVersion) {
    return core::fail(core::ErrorCode::unavailable,
                      where + " answered " + std::to_string(status) +
                          " outside the internal API: it does not host this module, has no "
                          "internal_token set, or refused the connection (a connection cap)");
  }
  if (status == 401) {
    return core::fail(core::ErrorCode::unavailable, where + " refused the internal token");
  }
  if (status / 100 == 2) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(answer.body(), ec);
    if (!ec) return value;
  } else if (auto error = error_from_body(answer.body())) {
    return core::Unexpected(std::move(*error));
  }
  return core::fail(core::ErrorCode::unavailable,
                    where + " gave a malformed answer (" + std::to_string(status) + ")");
}

}  // namespace

core::Result<std::unique_ptr<Transport>> Transport::create(TransportOptions options) {
  auto parsed = core::parse_base_url(options.base_url);
  if (!parsed) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "'" + options.base_url + "' is not an http://host:port URL");
  }
  return std::unique_ptr<Transport>(
      new Transport(std::move(options), std::move(parsed->host), std::move(parsed->port)));
}

Transport::Transport(TransportOptions options, std::string host, std::string port)
    : options_(std::move(options)), host_(std::move(host)), port_(std::move(port)) {}

Transport::~Transport() = default;

core::Result<boost::json::value> Transport::call(std::string_view method,
                                                 const boost::json::value& args, Retry retry,
                                                 std::chrono::milliseconds extra_wait,
                                                 std::stop_token stop) {
  const std::string path =
      std::string(kInternalPrefix) + "/" + options_.module + "/" + std::string(method);
  const std::string where = options_.base_url + path;
  RequestMessage request(bhttp::verb::post, path, 11);
  request.set(bhttp::field::host, host_ + ":" + port_);
  request.set(bhttp::field::authorization, "Bearer " + options_.token);
  request.set(bhttp::field::content_type, "application/json");
  request.body() = core::json::serialize(args);
  request.keep_alive(true);
  request.prepare_payload();

  const unsigned attempts = retry == Retry::idempotent ? std::max(1u, options_.attempts) : 1;
  std::string failure;
  auto backoff = options_.first_backoff;
  for (unsigned attempt = 1;; ++attempt) {
    // A call that must not be repeated gets a fresh connection: one the peer closed while idle
    // would fail it with its fate unknown. So does a retry: the next idle one may be stale too.
    std::unique_ptr<Connection> connection = acquire(retry == Retry::idempotent && attempt == 1);
    Exchange exchange(*connection, request);
    beast::error_code ec;
    const auto endpoints = connection->connected
                               ? tcp::resolver::results_type()
                               : tcp::resolver(connection->io).resolve(host_, port_, ec);
    if (!ec) exchange.run(endpoints, options_.timeout + extra_wait, stop);
    if (!ec && exchange.done()) {
      auto answer = interpret(exchange.response(), where);
      if (exchange.response().keep_alive()) release(std::move(connection));
      return answer;
    }
    failure = ec ? "cannot resolve " + host_ + ": " + ec.message() : exchange.failure();
    if (attempt >= attempts || stop.stop_requested()) break;
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
  return core::fail(core::ErrorCode::unavailable, "the " + options_.module + " module at " +
                                                      options_.base_url +
                                                      " cannot be reached: " + failure);
}

std::unique_ptr<Transport::Connection> Transport::acquire(bool reuse) {
  if (reuse) {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return std::make_unique<Connection>();
}

void Transport::release(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(connection));
}

}  // namespace ide::remote
