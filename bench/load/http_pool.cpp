#include "http_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/span.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <fmt/core.h>

namespace ide::bench {

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t max_answer_bytes = 1ULL << 30;
}  // namespace

std::optional<tcp::endpoint> parse_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) return std::nullopt;
  url.remove_prefix(scheme.size());
  while (url.ends_with('/')) url.remove_suffix(1);
  const std::size_t colon = url.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string host(url.substr(0, colon));
  std::string port(url.substr(colon + 1));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code error;
  auto results = resolver.resolve(host, port, error);
  if (error || results.empty()) return std::nullopt;
  return results.begin()->endpoint();
}

ConnectionPool::ConnectionPool(asio::any_io_executor executor, tcp::endpoint endpoint,
                               std::chrono::seconds timeout)
    : executor_(std::move(executor)),
      endpoint_(endpoint),
      host_header_(fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port())),
      timeout_(timeout) {}

ConnectionPool::~ConnectionPool() = default;

asio::awaitable<std::unique_ptr<ConnectionPool::Connection>> ConnectionPool::connect(
    boost::system::error_code& error) {
  auto connection = std::make_unique<Connection>(executor_);
  connection->stream.expires_after(timeout_);
  auto [connect_error] = co_await connection->stream.async_connect(endpoint_, use_tuple);
  error = connect_error;
  if (error) co_return nullptr;
  connection->stream.socket().set_option(tcp::no_delay(true), error);
  ++opened_;
  co_return connection;
}

asio::awaitable<ConnectionPool::Outcome> ConnectionPool::round_trip(Connection& connection,
                                                                    http::verb verb,
                                                                    const std::string& target,
                                                                    std::string_view body) {
  http::request<http::span_body<const char>> request{verb, target, 11};
  request.set(http::field::host, host_header_);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = beast::span<const char>(body.data(), body.size());
  request.prepare_payload();

  Outcome outcome;
  connection.stream.expires_after(timeout_);
  auto [write_error, written] = co_await http::async_write(connection.stream, request, use_tuple);
  if (write_error) {
    outcome.reply.error = write_error;
    co_return outcome;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_answer_bytes);
  auto [read_error, read] =
      co_await http::async_read(connection.stream, connection.buffer, parser, use_tuple);
  outcome.answered = parser.is_header_done();
  if (read_error) {
    outcome.reply.error = read_error;
    co_return outcome;
  }
  auto response = parser.release();
  outcome.keep_alive = response.keep_alive();
  outcome.reply.status = response.result_int();
  if (auto etag = response.find(http::field::etag); etag != response.end()) {
    outcome.reply.etag = std::string(etag->value());
  }
  outcome.reply.body = std::move(response.body());
  co_return outcome;
}

asio::awaitable<Reply> ConnectionPool::exchange(http::verb verb, std::string target,
                                                std::string_view body) {
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> connection;
    const bool reused = !idle_.empty();
    if (reused) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    } else {
      Reply failed;
      connection = co_await connect(failed.error);
      if (!connection) co_return failed;
    }
    Outcome outcome = co_await round_trip(*connection, verb, target, body);
    if (outcome.reply.error && reused && !outcome.answered && attempt == 0) {
      ++retries_;
      continue;
    }
    if (!outcome.reply.error && outcome.keep_alive) idle_.push_back(std::move(connection));
    co_return std::move(outcome.reply);
  }
}

}  // namespace ide::bench
