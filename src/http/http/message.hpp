// What a route handler sees and answers: a decoded request, a response, and the Reply handle
// that completes the exchange from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include "http/websocket.hpp"

namespace ide::http {

using Verb = boost::beast::http::verb;
using Status = boost::beast::http::status;

/// Judge0's authentication header (AUTHN_HEADER's default), also accepted as a query parameter.
inline constexpr std::string_view kAuthTokenHeader = "X-Auth-Token";

struct Request {
  Verb method = Verb::get;
  std::string path;                                        // as sent, still percent-encoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::map<std::string, std::string, std::less<>> params;  // from the route's {name} segments
  std::string body;
  std::string host;  // the Host header when it is sane, else the address we answered on
  // Who per-client limits count this request against: the client's IPv4 address or IPv6 /64
  // (the peer, or the X-Forwarded-For client behind a trusted proxy); see client_key().
  std::string client_ip;
  std::string if_none_match;  // the If-None-Match header as sent, empty when absent
  std::string authorization;  // the Authorization header as sent (the internal API's token)
  std::string auth_token;     // the X-Auth-Token header as sent (Judge0's API token)
  bool websocket_upgrade = false;  // a WebSocket handshake: the route may Reply::upgrade()

  /// The first query parameter called `name` (decoded), if any.
  std::optional<std::string_view> query_param(std::string_view name) const;
  /// The path parameter `name`; empty when the route has none of that name.
  std::string_view param(std::string_view name) const;
};

struct Response {
  Status status = Status::ok;
  std::string content_type;
  std::string body;
  /// When set, sent instead of `body`: an immutable body shared with a cache and other
  /// responses, written without a copy and kept alive until written.
  std::shared_ptr<const std::string> shared_body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones, e.g. Retry-After
};

/// The value of `response`'s extra header `name` (case-insensitive), nullptr when it has none.
std::string* find_header(Response& response, std::string_view name);

/// Adds `token` to `response`'s Vary header, making one if there is none (one header: the
/// server sets each header name once).
void add_vary(Response& response, std::string_view token);

/// Whether an If-None-Match header value names `etag` (RFC 9110 section 13.1.2): "*", or one
/// of its comma-separated entity tags equal to `etag` by weak comparison (W/ is ignored).
bool none_match_hits(std::string_view if_none_match, std::string_view etag);

inline constexpr std::string_view kJsonType = "application/json; charset=utf-8";

/// Completes one exchange. Copyable; send() may be called from any thread, once (later calls are
/// ignored). If every copy is dropped without a send, the client gets 503. After the server
/// stopped, both calls do nothing, so a late callback from a module is harmless.
class Reply {
 public:
  /// How a Reply reaches its connection; implemented by the server (and by tests).
  class Channel {
   public:
    virtual ~Channel() = default;
    virtual void send(Response response) = 0;
    virtual void post_blocking(std::function<void()> task) = 0;
    /// Only the server's channel can upgrade; others answer 426.
    virtual void upgrade(std::shared_ptr<WebSocketConversation> /*conversation*/) {
      Response refused{Status::upgrade_required, std::string(kJsonType), "", {}, {}};
      refused.body = R"({"error":{"code":"invalid_argument","message":"No WebSocket here."}})";
      send(std::move(refused));
    }
  };

  explicit Reply(std::shared_ptr<Channel> channel) : channel_(std::move(channel)) {}

  void send(Response response) const { channel_->send(std::move(response)); }
  /// Runs `task` on the server's pool for blocking work (calls into the modules), e.g. to finish
  /// an exchange from a module's callback without blocking the module's thread.
  void post_blocking(std::function<void()> task) const { channel_->post_blocking(std::move(task)); }
  /// Completes a request with websocket_upgrade by accepting the handshake; `conversation`
  /// then runs on the connection. Counts as the exchange's send().
  void upgrade(std::shared_ptr<WebSocketConversation> conversation) const {
    channel_->upgrade(std::move(conversation));
  }

 private:
  std::shared_ptr<Channel> channel_;
};

/// A route handler. Takes the request by value so large bodies can be moved on, not copied.
using Handler = std::function<void(Request, Reply)>;

}  // namespace ide::http
