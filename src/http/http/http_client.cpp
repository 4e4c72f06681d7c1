#include "http/http_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace ide::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// A result with base64 output of a program that used its whole output cap is tens of MB.
constexpr std::uint64_t kMaxResponseBytes = 1024ull * 1024 * 1024;

}  // namespace

std::string HttpUrl::origin() const {
  return "http://" + host + (port == "80" ? "" : ":" + port);
}

core::Result<HttpUrl> parse_http_url(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "'" + std::string(text) + "' is not a URL like http://127.0.0.1:8080");
  }
  if (parsed->scheme_id() != boost::urls::scheme::http) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "'" + std::string(text) +
                          "': only http:// is supported (put a TLS proxy in front of ide)");
  }
  if (parsed->encoded_host().empty()) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "'" + std::string(text) + "' has no host");
  }
  HttpUrl url;
  url.host = std::string(parsed->encoded_host());
  url.port = parsed->has_port() && !parsed->port().empty() ? std::string(parsed->port()) : "80";
  url.path = std::string(parsed->encoded_path());
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  for (std::string segment : parsed->segments()) {
    if (!segment.empty()) url.segments.push_back(std::move(segment));
  }
  return url;
}

core::Result<HttpClient> HttpClient::create(std::string_view server_url,
                                            std::string user_agent) {
  auto url = parse_http_url(server_url);
  if (!url) return core::Unexpected(url.error());
  return HttpClient(std::move(*url), std::string(server_url), std::move(user_agent));
}

core::Result<ClientResponse> HttpClient::request(Verb method, std::string_view target,
                                                 std::string body,
                                                 std::chrono::milliseconds timeout) const {
  const auto failure = [&](std::string_view what, const beast::error_code& ec) {
    std::string message = std::string(what) + " " + server_ + ": " + ec.message();
    if (ec == beast::error::timeout) message = "no answer from " + server_ + " in time";
    return core::fail(core::ErrorCode::unavailable, std::move(message));
  };
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;

  std::string host = url_.host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  tcp::resolver resolver(ioc);
  const auto endpoints = resolver.resolve(host, url_.port, ec);
  if (ec) return failure("cannot resolve", ec);

  stream.expires_after(timeout);
  stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
  ioc.run();
  if (ec) return failure("cannot connect to", ec);

  bhttp::request<bhttp::string_body> message(method, url_.path + std::string(target), 11);
  message.set(bhttp::field::host, url_.port == "80" ? url_.host : url_.host + ":" + url_.port);
  message.set(bhttp::field::user_agent, user_agent_);
  message.set(bhttp::field::accept, "application/json");
  if (!bearer_token_.empty()) message.set(bhttp::field::authorization, "Bearer " + bearer_token_);
  if (!body.empty() || method == Verb::post || method == Verb::put) {
    message.set(bhttp::field::content_type, kJsonType);
    message.body() = std::move(body);
  }
  message.keep_alive(false);
  message.prepare_payload();
  ioc.restart();
  bhttp::async_write(stream, message, [&](beast::error_code e, std::size_t) { ec = e; });
  ioc.run();
  if (ec) return failure("cannot send to", ec);

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  ioc.restart();
  bhttp::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
  ioc.run();
  if (ec) return failure("no complete answer from", ec);

  auto& response = parser.get();
  ClientResponse result;
  result.status = response.result_int();
  result.content_type = std::string(response[bhttp::field::content_type]);
  if (auto it = response.find(bhttp::field::retry_after); it != response.end()) {
    result.retry_after = std::string(it->value());
  }
  result.body = std::move(response.body());
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return result;
}

core::Result<ClientResponse> HttpClient::get(std::string_view target,
                                             std::chrono::milliseconds timeout) const {
  return request(Verb::get, target, {}, timeout);
}

core::Result<ClientResponse> HttpClient::post(std::string_view target, std::string body,
                                              std::chrono::milliseconds timeout) const {
  return request(Verb::post, target, std::move(body), timeout);
}

}  // namespace ide::http
