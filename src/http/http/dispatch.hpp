// The server's request path without a connection: parser limits, answers to unreadable requests,
// routing one parsed request, running its handler and building the wire response. The server and
// the fuzzer (tests/fuzz) share it, so what is fuzzed is what is served.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include "http/client_address.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace ide::http {

using RequestMessage = boost::beast::http::request<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
/// A response body that is either owned or shared (Response::shared_body): the shared one is
/// written from the shared buffer itself, which the message keeps alive.
struct ResponseBody {
  struct value_type {
    std::string owned;
    std::shared_ptr<const std::string> shared;
    std::string_view view() const { return shared ? std::string_view(*shared) : owned; }
  };

  static std::uint64_t size(const value_type& body) { return body.view().size(); }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;
    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>& /*header*/,
           const value_type& body)
        : body_(body) {}
    void init(boost::system::error_code& ec) { ec = {}; }
    boost::optional<std::pair<const_buffers_type, bool>> get(boost::system::error_code& ec) {
      ec = {};
      const std::string_view bytes = body_.view();
      return {{const_buffers_type(bytes.data(), bytes.size()), false}};
    }

   private:
    const value_type& body_;
  };
};

using ResponseMessage = boost::beast::http::response<ResponseBody>;

/// Puts the header limit (431 beyond) and the body limit (413 beyond) on a fresh parser.
void apply_limits(RequestParser& parser, std::size_t max_header_bytes, std::size_t max_body_bytes);

/// The answer to a request that could not be read because of `ec`: 413, 431, or 400 when it is
/// not HTTP/1.1. nullopt when the client left, stalled or broke the connection: nobody listens.
std::optional<Response> read_error_response(boost::system::error_code ec,
                                            std::size_t max_body_bytes);

struct RoutedRequest {
  /// Set when the server answers by itself: 400 (bad target), 404, 405 (with Allow).
  std::optional<Response> answer;
  /// The matched route (inside the router), when there is no answer.
  const Route* route = nullptr;
  /// The handler's input; only its path is set when there is an answer.
  Request request;
};

/// Decodes the target of `message`, matches it on `router` and, when a route matches, moves the
/// message into the Request its handler gets, with the client_key() of the client: `peer`, or
/// the address X-Forwarded-For names when `peer` is in `trusted_proxies`. `local_host` stands in
/// for an insane Host header.
RoutedRequest route_request(const Router& router, RequestMessage message, const IpAddress& peer,
                            const AddressSet& trusted_proxies, std::string_view local_host);

/// The value of `message`'s header `field` ("" when absent).
std::string header_value(const RequestMessage& message, boost::beast::http::field field);

/// Calls `route`'s handler; an exception escaping it is logged and answered 500.
void invoke_handler(const Route& route, Request request, const Reply& reply);

/// `response` as it goes on the wire for a request of HTTP `version` (10 or 11). For a HEAD
/// request (`head`) the body is left out and Content-Length still gives its size.
ResponseMessage to_message(Response response, unsigned version, bool keep_alive,
                           bool head = false);

}  // namespace ide::http
