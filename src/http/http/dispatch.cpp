#include "http/dispatch.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>
#include <utility>
#include <vector>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/range/iterator_range.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "core/log.hpp"
#include "http/errors.hpp"

namespace ide::http {

namespace bhttp = boost::beast::http;

namespace {

/// The Host header if it looks like a host[:port] and nothing else (it ends up in share links).
bool is_sane_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']' || c == '_';
  });
}

/// Every X-Forwarded-For value in order, joined with ',' as RFC 9110 allows for a list header.
std::string forwarded_for(const RequestMessage& message) {
  std::string joined;
  for (const auto& field : boost::make_iterator_range(message.equal_range("X-Forwarded-For"))) {
    if (!joined.empty()) joined += ',';
    joined.append(field.value().data(), field.value().size());
  }
  return joined;
}

}  // namespace

std::string header_value(const RequestMessage& message, bhttp::field field) {
  const auto value = message[field];
  return std::string(value.data(), value.size());
}

void apply_limits(RequestParser& parser, std::size_t max_header_bytes, std::size_t max_body_bytes) {
  parser.header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(max_header_bytes, UINT32_MAX)));
  parser.body_limit(max_body_bytes);
}

std::optional<Response> read_error_response(boost::system::error_code ec,
                                            std::size_t max_body_bytes) {
  if (ec == bhttp::error::body_limit) {
    return error_response(
        {core::ErrorCode::payload_too_large, "The request body is larger than the limit of " +
                                                 std::to_string(max_body_bytes) + " bytes."});
  }
  if (ec == bhttp::error::header_limit) {
    return error_response(Status::request_header_fields_too_large,
                          core::ErrorCode::invalid_argument, "The request headers are too large.");
  }
  const bool parse_error =
      ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
  if (parse_error) {
    return error_response(Status::bad_request, core::ErrorCode::invalid_argument,
                          "The request is not valid HTTP/1.1: " + ec.message() + ".");
  }
  return std::nullopt;
}

RoutedRequest route_request(const Router& router, RequestMessage message, const IpAddress& peer,
                            const AddressSet& trusted_proxies, std::string_view local_host) {
  RoutedRequest routed;
  const std::string_view target(message.target().data(), message.target().size());
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) {
    routed.answer = error_response(Status::bad_request, core::ErrorCode::invalid_argument,
                                   "The request target is not a valid path.");
    return routed;
  }
  std::vector<std::string> segments;
  for (std::string segment : parsed->segments()) segments.push_back(std::move(segment));
  Request& request = routed.request;
  request.path = std::string(parsed->encoded_path());

  Router::Match match = router.match(message.method(), segments);
  if (match.kind == Router::Match::Kind::not_found) {
    routed.answer =
        error_response({core::ErrorCode::not_found, "There is nothing at " + request.path + "."});
    return routed;
  }
  if (match.kind == Router::Match::Kind::method_not_allowed &&
      message.method() == bhttp::verb::options) {
    // What the path allows (and, with CORS on, the preflight's answer: CorsPolicy::decorate).
    Response response;
    response.status = Status::no_content;
    response.headers.emplace_back("Allow", match.allow);
    routed.answer = std::move(response);
    return routed;
  }
  if (match.kind == Router::Match::Kind::method_not_allowed) {
    const std::string method(message.method_string());
    Response response = error_response(
        Status::method_not_allowed, core::ErrorCode::invalid_argument,
        "Method " + method + " is not allowed on " + request.path + "; use " + match.allow + ".");
    response.headers.emplace_back("Allow", match.allow);
    routed.answer = std::move(response);
    return routed;
  }

  routed.route = match.route;
  request.method = message.method();
  for (const auto& param : parsed->params()) {
    request.query.emplace_back(param.key, param.has_value ? param.value : std::string());
  }
  request.params = std::move(match.params);
  const auto host = message[bhttp::field::host];
  request.host = is_sane_host(std::string_view(host.data(), host.size()))
                     ? std::string(host.data(), host.size())
                     : std::string(local_host);
  request.client_ip = client_key(client_address(peer, forwarded_for(message), trusted_proxies));
  request.if_none_match = header_value(message, bhttp::field::if_none_match);
  request.authorization = header_value(message, bhttp::field::authorization);
  const auto auth_token = message[kAuthTokenHeader];
  request.auth_token = std::string(auth_token.data(), auth_token.size());
  request.body = std::move(message.body());
  return routed;
}

void invoke_handler(const Route& route, Request request, const Reply& reply) {
  try {
    route.handler(std::move(request), reply);
  } catch (const std::exception& e) {
    core::log::error("http: handler of {} failed: {}", route.pattern, e.what());
    reply.send(error_response({core::ErrorCode::internal, "An unexpected error occurred."}));
  } catch (...) {
    core::log::error("http: handler of {} failed", route.pattern);
    reply.send(error_response({core::ErrorCode::internal, "An unexpected error occurred."}));
  }
}

ResponseMessage to_message(Response response, unsigned version, bool keep_alive, bool head) {
  ResponseMessage message(response.status, version);
  message.set(bhttp::field::server, "ide");
  if (!response.content_type.empty()) {
    message.set(bhttp::field::content_type, response.content_type);
  }
  for (const auto& [name, value] : response.headers) message.set(name, value);
  message.body().owned = std::move(response.body);
  message.body().shared = std::move(response.shared_body);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  if (head) {
    message.body().owned.clear();
    message.body().shared.reset();
  }
  return message;
}

}  // namespace ide::http
