#include "http/server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <fmt/format.h>

#include "core/log.hpp"
#include "http/admin_auth.hpp"
#include "http/client_address.hpp"
#include "http/content_coding.hpp"
#include "http/cors.hpp"
#include "http/dispatch.hpp"
#include "http/errors.hpp"
#include "http/metrics.hpp"
#include "http/rate_limiter.hpp"
#include "http/response_budget.hpp"
#include "http/websocket_session.hpp"

namespace ide::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace detail {

/// Lets threads outside the server (the blocking pool, a module's worker finishing a long-poll)
/// reach connections only while the server runs: stop() closes it before tearing anything down.
class Gate {
 public:
  template <typename F>
  void run(F&& f) {
    std::lock_guard lock(mutex_);
    if (open_) f();
  }
  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }

 private:
  // Recursive: dropping the last Reply inside run() answers 503 through run() again.
  std::recursive_mutex mutex_;
  bool open_ = true;
};

class Session;

/// Posts `task` to `pool`; an exception escaping a pool thread would end the process.
void post_task(net::thread_pool& pool, std::function<void()> task) {
  net::post(pool, [task = std::move(task)] {
    try {
      task();
    } catch (const std::exception& e) {
      core::log::error("http: blocking task failed: {}", e.what());
    } catch (...) {
      core::log::error("http: blocking task failed");
    }
  });
}

std::string format_endpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host =
      address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace detail

using detail::Gate;
using detail::Session;

struct Server::Impl {
  Impl(ServerOptions o, Router r)
      : options(std::move(o)),
        router(std::move(r)),
        limiter(options.rate_limit_per_minute, options.rate_limit_burst),
        budget(options.max_unsent_bytes),
        cors(options.cors_origins) {}

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  /// Takes `session` in, or tells why not: 429 over its client's cap, 503 over the server's.
  std::optional<Response> admit(const std::shared_ptr<Session>& session);
  void run_io();
  void unregister(Session* session);

  ServerOptions options;
  Router router;
  RateLimiter limiter;
  AddressSet trusted_proxies;  // parsed from options by start()
  ResponseBudget budget;
  CorsPolicy cors;
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::atomic<bool> accepting{true};
  std::atomic<bool> stopping{false};
  std::atomic<std::int64_t> busy{0};  // connections with an exchange in progress
  std::atomic<std::size_t> websockets{0};  // upgraded connections open
  std::mutex sessions_mutex;
  // Owns each open connection, also while its request is being handled and no I/O is pending.
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;
  // Open connections by client_key() of the peer (trusted proxies are not counted).
  std::unordered_map<std::string, std::size_t> client_connections;
  // Refused connections still being answered: each holds a descriptor while it lingers.
  std::size_t rejecting = 0;
  std::mutex lifecycle_mutex;
  bool started = false;
  bool stopped = false;
  std::uint16_t bound_port = 0;
  std::vector<std::thread> io_threads;
  std::optional<net::thread_pool> pool;
  // Declared after everything a session touches, so that it is destroyed before them: the
  // handlers it still holds (and the sessions inside them) go while the rest is alive.
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
};

namespace detail {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// After an error answer we close; reading what the client still sends for a moment first keeps
// the kernel from resetting the connection before the client has read the answer.
constexpr std::chrono::milliseconds kLingerTime{2'000};
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;

// Refused connections answered at once; beyond, they are closed without an answer, so that a
// flood of refused connections cannot hold the descriptors the admitted ones need.
constexpr std::size_t kMaxRejecting = 64;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, tcp::socket&& socket)
      : server_(server), stream_(std::move(socket)) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      peer_ = unmapped(remote.address());
      client_ip_ = peer_.to_string();
    }
    const auto local = stream_.socket().local_endpoint(ec);
    if (!ec) local_host_ = format_endpoint(local);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() {
    set_busy(false);
    give_back_unsent();
  }

  net::any_io_executor executor() { return stream_.get_executor(); }
  const IpAddress& peer() const { return peer_; }

  // Bookkeeping of Server::Impl, under its sessions_mutex.
  std::string counted_as;  // the client_key() this connection counts against, if any
  bool rejected = false;   // refused, and counted in Impl::rejecting until unregistered

  /// Closes at once, without an answer.
  void drop() {
    net::dispatch(executor(), [self = shared_from_this()] { self->finish(); });
  }

  void start() {
    net::dispatch(executor(), beast::bind_front_handler(&Session::read_header, shared_from_this()));
  }

  /// Answers `response` at once and closes: for connections over the limit.
  void reject(Response response) {
    net::dispatch(executor(), [self = shared_from_this(), response = std::move(response)]() mutable {
      self->write_response(std::move(response), true);
    });
  }

  /// The handler's answer; runs on the strand.
  void deliver(Response response) {
    if (!awaiting_) return;
    awaiting_ = false;
    write_response(std::move(response), false);
  }

  /// The handler accepted the WebSocket handshake; runs on the strand. The connection is the
  /// conversation's from then on (it still counts as one of the server's connections).
  void upgrade(std::shared_ptr<WebSocketConversation> conversation) {
    if (!awaiting_) return;
    awaiting_ = false;
    if (!upgrade_request_) {
      return write_response(error_response({core::ErrorCode::invalid_argument,
                                            "This route needs a WebSocket handshake."}),
                            false);
    }
    if (server_.websockets.fetch_add(1) >= server_.options.max_websockets) {
      --server_.websockets;
      return write_response(
          error_response({core::ErrorCode::unavailable, "Too many live streams are open."}, 5),
          true);
    }
    if (request_started_) {
      record_request(route_, method_label_, 101,
                     std::chrono::steady_clock::now() - *request_started_);
      request_started_.reset();
    }
    set_busy(false);
    upgraded_ = true;
    auto gate = server_.gate;
    net::thread_pool& pool = *server_.pool;
    start_websocket(
        std::move(stream_), std::move(*upgrade_request_), std::move(conversation),
        WebSocketSettings{.idle_timeout = server_.options.websocket_idle_timeout},
        [gate](const std::function<void()>& f) { gate->run(f); },
        [gate, &pool](std::function<void()> task) {
          gate->run([&] { post_task(pool, std::move(task)); });
        },
        [self = shared_from_this()] {
          --self->server_.websockets;
          self->finish();
        });
  }

 private:
  void set_busy(bool busy) {
    if (busy == busy_) return;
    busy_ = busy;
    server_.busy += busy ? 1 : -1;
  }

  void read_header() {
    if (buffer_.capacity() > 64 * 1024) buffer_.shrink_to_fit();
    parser_.emplace();
    head_ = options_ = accepts_gzip_ = false;
    origin_.clear();
    request_started_.reset();
    route_ = kUnmatchedRoute;
    method_label_ = "other";
    apply_limits(*parser_, server_.options.max_header_bytes, server_.options.max_body_bytes);
    stream_.expires_after(server_.options.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return on_read_error(ec);
    const auto& request = parser_->get();
    request_started_ = std::chrono::steady_clock::now();
    // Methods Beast does not know share one label, so that their number stays bounded.
    if (request.method() != bhttp::verb::unknown) {
      method_label_ = bhttp::to_string(request.method());
    }
    version_ = request.version();
    keep_alive_ = request.keep_alive();
    head_ = request.method() == bhttp::verb::head;
    options_ = request.method() == bhttp::verb::options;
    accepts_gzip_ = accepts_gzip(header_value(request, bhttp::field::accept_encoding));
    origin_ = header_value(request, bhttp::field::origin);
    if (!parser_->is_done() && beast::iequals(request[bhttp::field::expect], "100-continue")) {
      stream_.expires_after(server_.options.write_timeout);
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                         if (write_ec) return self->finish();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(server_.options.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return on_read_error(ec);
    dispatch(parser_->release());
  }

  void on_read_error(beast::error_code ec) {
    if (auto answer = read_error_response(ec, server_.options.max_body_bytes)) {
      if (!request_started_) request_started_ = std::chrono::steady_clock::now();
      return write_response(std::move(*answer), true);
    }
    // The client left, stalled past a timeout (the stream is closed already) or broke the
    // connection: nobody is listening for an answer.
    if (ec != bhttp::error::end_of_stream && ec != beast::error::timeout) {
      core::log::debug("http: {}: read failed: {}", client_ip_, ec.message());
    }
    finish();
  }

  void dispatch(RequestMessage message) {
    method_ = message.method_string();
    upgrade_request_.reset();
    if (boost::beast::websocket::is_upgrade(message)) upgrade_request_.emplace(message.base());
    RoutedRequest routed = route_request(server_.router, std::move(message), peer_,
                                         server_.trusted_proxies, local_host_);
    routed.request.websocket_upgrade = upgrade_request_.has_value();
    path_ = routed.request.path;
    if (routed.answer) return write_response(std::move(*routed.answer), false);
    const Route& route = *routed.route;
    route_ = route.pattern;
    if (route.options.new_work) {
      if (!server_.accepting) {
        return write_response(
            error_response({core::ErrorCode::shutting_down,
                            "The server is shutting down and accepts no new submissions."}),
            false);
      }
      // A bearer's submits count against its class's quota instead (members.hpp): each
      // submitting route authenticates the bearer before it submits anything.
      const bool by_address = bearer_token(routed.request).empty();
      const auto now = RateLimiter::Clock::now();
      if (auto wait = by_address ? server_.limiter.acquire(routed.request.client_ip, now)
                                 : std::nullopt) {
        return write_response(
            error_response({core::ErrorCode::rate_limited,
                            "Too many submissions from this address; retry in " +
                                std::to_string(*wait) + " s."},
                           static_cast<int>(std::min<std::int64_t>(*wait, 86'400))),
            false);
      }
    }

    awaiting_ = true;
    set_busy(true);
    Reply reply(make_exchange());
    if (route.options.blocking) {
      post_task(*server_.pool, [&route, request = std::move(routed.request), reply]() mutable {
        invoke_handler(route, std::move(request), reply);
      });
    } else {
      invoke_handler(route, std::move(routed.request), reply);
    }
  }

  std::shared_ptr<Reply::Channel> make_exchange();

  void write_response(Response response, bool close_after) {
    set_busy(true);
    const bool keep_alive = keep_alive_ && !close_after && !server_.stopping;
    core::log::debug("http: {} {} {} -> {}", client_ip_, method_, path_,
                     static_cast<unsigned>(response.status));
    compress_if_worthwhile(response, accepts_gzip_);
    server_.cors.decorate(response, origin_, options_ && response.status == Status::no_content);
    response_ = std::make_shared<ResponseMessage>(
        to_message(within_budget(std::move(response)), version_, keep_alive, head_));
    // Connections refused before a request was read are not requests.
    if (request_started_) {
      record_request(route_, method_label_, response_->result_int(),
                     std::chrono::steady_clock::now() - *request_started_);
      request_started_.reset();
    }
    stream_.expires_after(server_.options.write_timeout);
    bhttp::async_write(stream_, *response_,
                       beast::bind_front_handler(&Session::on_write, shared_from_this(),
                                                 keep_alive));
  }

  /// `response`, its bytes taken from the server's budget of unsent responses; or, when they do
  /// not fit, a 503 saying so (a client that does not read holds its answer until the write
  /// timeout, and many such clients must not hold more than the budget together).
  Response within_budget(Response response) {
    const std::size_t bytes = held_bytes(response);
    if (server_.budget.try_take(bytes)) {
      unsent_bytes_ = bytes;
      return response;
    }
    core::log::warn("http: {} {} {}: a {}-byte answer does not fit; {} of {} bytes are unsent",
                    client_ip_, method_, path_, bytes, server_.budget.held(),
                    server_.budget.limit());
    Response busy = error_response(
        {core::ErrorCode::unavailable,
         "The server holds too many answers that clients have not read yet; retry shortly."},
        1);
    unsent_bytes_ = held_bytes(busy);
    server_.budget.take(unsent_bytes_);
    return busy;
  }

  void give_back_unsent() { server_.budget.give_back(std::exchange(unsent_bytes_, 0)); }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
    response_.reset();
    give_back_unsent();
    set_busy(false);
    method_.clear();
    path_.clear();
    if (ec) return finish();
    if (!keep_alive) return linger();
    read_header();
  }

  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    drained_ = 0;
    stream_.expires_after(kLingerTime);
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerBytes) return self->finish();
                              self->drain();
                            });
  }

  void finish() {
    beast::error_code ignored;
    if (!upgraded_) stream_.socket().close(ignored);  // else the WebSocket has the socket
    set_busy(false);
    server_.unregister(this);
  }

  Server::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::shared_ptr<ResponseMessage> response_;
  std::optional<RequestMessage> upgrade_request_;  // a WebSocket handshake's headers
  bool upgraded_ = false;                           // stream_ went to the WebSocket
  std::size_t unsent_bytes_ = 0;  // taken from server_.budget for response_
  std::array<char, 16 * 1024> scratch_{};
  std::size_t drained_ = 0;
  IpAddress peer_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool awaiting_ = false;
  bool busy_ = false;
  std::string client_ip_;
  std::string local_host_;
  std::string method_;
  std::string path_;
  // Of the request being answered, for its metrics: set when its headers were read (or failed to
  // be), and its route's pattern (in the router, which outlives the session) once routed.
  std::optional<std::chrono::steady_clock::time_point> request_started_;
  std::string_view route_ = kUnmatchedRoute;
  std::string_view method_label_ = "other";
  // Of the request being answered: what its answer looks like on the wire.
  bool head_ = false;
  bool options_ = false;
  bool accepts_gzip_ = false;
  std::string origin_;
};

/// The Reply channel of one exchange: reaches the session through the gate, from any thread.
class Exchange final : public Reply::Channel {
 public:
  Exchange(std::shared_ptr<Gate> gate, std::weak_ptr<Session> session, net::thread_pool& pool)
      : gate_(std::move(gate)), session_(std::move(session)), pool_(pool) {}
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  ~Exchange() override {
    if (sent_.exchange(true)) return;
    try {
      deliver(error_response({core::ErrorCode::unavailable,
                              "The request was abandoned before it was answered."}));
    } catch (...) {
      // Nothing more can be done for this client; its connection times out.
    }
  }

  void send(Response response) override {
    if (sent_.exchange(true)) return;
    deliver(std::move(response));
  }

  void post_blocking(std::function<void()> task) override {
    gate_->run([&] { post_task(pool_, std::move(task)); });
  }

  void upgrade(std::shared_ptr<WebSocketConversation> conversation) override {
    if (sent_.exchange(true)) return;
    gate_->run([&] {
      if (auto session = session_.lock()) {
        net::post(session->executor(), [session, conversation = std::move(conversation)]() mutable {
          session->upgrade(std::move(conversation));
        });
      }
    });
  }

 private:
  void deliver(Response response) {
    gate_->run([&] {
      if (auto session = session_.lock()) {
        net::post(session->executor(),
                  [session, response = std::move(response)]() mutable {
                    session->deliver(std::move(response));
                  });
      }
    });
  }

  std::shared_ptr<Gate> gate_;
  std::weak_ptr<Session> session_;
  net::thread_pool& pool_;
  std::atomic<bool> sent_{false};
};

std::shared_ptr<Reply::Channel> Session::make_exchange() {
  return std::make_shared<Exchange>(server_.gate, weak_from_this(), *server_.pool);
}

}  // namespace detail

void Server::Impl::do_accept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void Server::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
  if (ec) {
    // Typically out of file descriptors: wait a little instead of spinning.
    core::log::warn("http: accept failed: {}", ec.message());
    accept_retry->expires_after(std::chrono::milliseconds(100));
    accept_retry->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) do_accept();
    });
    return;
  }
  auto session = std::make_shared<Session>(*this, std::move(socket));
  if (std::optional<Response> refusal = admit(session)) {
    if (session->rejected) {
      session->reject(std::move(*refusal));
    } else {
      session->drop();
    }
  } else {
    session->start();
  }
  do_accept();
}

std::optional<Response> Server::Impl::admit(const std::shared_ptr<Session>& session) {
  // Behind a proxy every client arrives from the proxy's address: only the global cap applies.
  const bool per_client = options.max_connections_per_client > 0 &&
                          !trusted_proxies.contains(session->peer());
  const std::string client = per_client ? client_key(session->peer()) : std::string();
  std::optional<Response> refusal;
  std::lock_guard lock(sessions_mutex);
  if (per_client && client_connections[client] >= options.max_connections_per_client) {
    refusal = error_response(
        {core::ErrorCode::rate_limited,
         fmt::format("This client has {} connections open, the most one client may have; close "
                     "one and retry.",
                     options.max_connections_per_client)},
        1);
  } else if (sessions.size() >= options.max_connections) {
    refusal = error_response(
        {core::ErrorCode::unavailable, "The server has too many open connections."}, 1);
  }
  if (per_client && client_connections[client] == 0) client_connections.erase(client);
  if (refusal) {
    if (rejecting < detail::kMaxRejecting) {
      ++rejecting;
      session->rejected = true;
    }
    return refusal;
  }
  sessions.emplace(session.get(), session);
  if (per_client) {
    ++client_connections[client];
    session->counted_as = client;
  }
  return std::nullopt;
}

void Server::Impl::unregister(Session* session) {
  std::lock_guard lock(sessions_mutex);
  if (session->rejected) {
    session->rejected = false;
    --rejecting;
  }
  if (sessions.erase(session) == 0 || session->counted_as.empty()) return;
  auto it = client_connections.find(session->counted_as);
  if (it != client_connections.end() && --it->second == 0) client_connections.erase(it);
}

void Server::Impl::run_io() {
  while (true) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      core::log::error("http: I/O thread: {}", e.what());
    } catch (...) {
      core::log::error("http: I/O thread: unknown exception");
    }
  }
}

ServerOptions ServerOptions::from_config(const core::Config& config) {
  ServerOptions options;
  options.cors_origins = config.cors_origins;
  options.host = config.host;
  options.port = config.port;
  options.max_body_bytes = config.max_body_bytes;
  options.max_connections = config.max_connections;
  options.max_connections_per_client = config.max_connections_per_client;
  options.trusted_proxies = config.trusted_proxies;
  options.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  options.body_timeout = std::chrono::milliseconds(config.body_timeout_ms);
  options.max_websockets = config.max_streams;
  options.websocket_idle_timeout = std::chrono::milliseconds(config.stream_idle_timeout_ms);
  options.rate_limit_per_minute = config.rate_limit_per_minute;
  options.rate_limit_burst = config.rate_limit_burst;
  options.max_unsent_bytes = config.max_unsent_bytes;
  return options;
}

Server::Server(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() { stop(); }

core::Result<void> Server::start() {
  Impl& s = *impl_;
  std::lock_guard lock(s.lifecycle_mutex);
  if (s.started || s.stopped) return core::fail(core::ErrorCode::internal, "server started twice");
  auto trusted = AddressSet::parse(s.options.trusted_proxies);
  if (!trusted) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "trusted-proxies: " + trusted.error().message);
  }
  s.trusted_proxies = std::move(*trusted);
  beast::error_code ec;
  tcp::resolver resolver(s.ioc);
  const auto endpoints = resolver.resolve(s.options.host, std::to_string(s.options.port),
                                          tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) {
    return core::fail(core::ErrorCode::unavailable,
                      "cannot resolve listen address '" + s.options.host + "': " + ec.message());
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  s.acceptor.emplace(net::make_strand(s.ioc));
  const auto failed = [&](std::string_view what) {
    s.acceptor.reset();
    return core::fail(core::ErrorCode::unavailable,
                      fmt::format("cannot {} {}: {}", what, detail::format_endpoint(endpoint),
                                  ec.message()));
  };
  if (s.acceptor->open(endpoint.protocol(), ec)) return failed("open");
  if (s.acceptor->set_option(net::socket_base::reuse_address(true), ec)) return failed("set up");
  if (s.acceptor->bind(endpoint, ec)) return failed("listen on");
  if (s.acceptor->listen(net::socket_base::max_listen_connections, ec)) return failed("listen on");
  s.bound_port = s.acceptor->local_endpoint().port();
  s.accept_retry.emplace(s.acceptor->get_executor());
  s.pool.emplace(std::max(1u, s.options.blocking_threads));
  s.work.emplace(s.ioc.get_executor());
  s.do_accept();
  for (unsigned i = 0; i < std::max(1u, s.options.io_threads); ++i) {
    s.io_threads.emplace_back([&s] { s.run_io(); });
  }
  s.started = true;
  return {};
}

std::uint16_t Server::port() const { return impl_->bound_port; }

const std::string& Server::host() const { return impl_->options.host; }

void Server::stop_accepting() { impl_->accepting = false; }

bool Server::accepting() const { return impl_->accepting; }

std::size_t Server::unsent_bytes() const { return impl_->budget.held(); }

void Server::stop() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.lifecycle_mutex);
    if (s.stopped) return;
    s.stopped = true;
    if (!s.started) return;
  }
  s.accepting = false;
  s.stopping = true;
  net::post(s.acceptor->get_executor(), [&s] {
    beast::error_code ignored;
    s.acceptor->close(ignored);
    s.accept_retry->cancel();
  });
  const auto deadline = std::chrono::steady_clock::now() + s.options.drain_timeout;
  while (s.busy > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.gate->close();
  s.work.reset();
  s.ioc.stop();
  for (std::thread& thread : s.io_threads) thread.join();
  s.io_threads.clear();
  s.pool->join();
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(s.sessions_mutex);
    sessions.swap(s.sessions);
  }
  sessions.clear();
}

}  // namespace ide::http
