// A plain-HTTP client: synchronous calls with a timeout, one connection per request. The
// command-line commands (ide submit, result, share, show, languages) and Judge0 callbacks use it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "http/message.hpp"

namespace ide::http {

/// An http:// URL taken apart (Boost.URL).
struct HttpUrl {
  std::string host;      // as in the URL, IPv6 in brackets
  std::string port;      // "80" when the URL has none
  std::string path;      // percent-encoded, "" or starting with '/'
  std::vector<std::string> segments;  // decoded path segments
  /// "http://host[:port]".
  std::string origin() const;
};

/// Parses `text` as an absolute http:// URL. Errors: invalid_argument (not a URL, or another
/// scheme: https needs a proxy in front of ide, which listens on plain HTTP).
core::Result<HttpUrl> parse_http_url(std::string_view text);

struct ClientResponse {
  unsigned status = 0;
  std::string body;
  std::string content_type;
  std::optional<std::string> retry_after;
};

class HttpClient {
 public:
  /// A client of the server at `server_url`, e.g. "http://127.0.0.1:8080" (a path, if any, is a
  /// prefix of every request), that introduces itself as `user_agent`. Errors: invalid_argument.
  static core::Result<HttpClient> create(std::string_view server_url,
                                         std::string user_agent = "ide-cli");

  /// Sends `method` `target` (which starts with '/') with a JSON `body` when it is not empty,
  /// and reads the whole answer, all within `timeout`. Any status is a success here.
  /// Errors: unavailable (cannot resolve, connect, or no complete answer in time).
  core::Result<ClientResponse> request(Verb method, std::string_view target, std::string body,
                                       std::chrono::milliseconds timeout) const;
  core::Result<ClientResponse> get(std::string_view target,
                                   std::chrono::milliseconds timeout = kDefaultTimeout) const;
  core::Result<ClientResponse> post(std::string_view target, std::string body,
                                    std::chrono::milliseconds timeout = kDefaultTimeout) const;

  /// The server's URL as given.
  const std::string& server() const { return server_; }

  /// Sends `Authorization: Bearer <token>` with every request from now on ("" sends none).
  void set_bearer_token(std::string token) { bearer_token_ = std::move(token); }

  static constexpr std::chrono::milliseconds kDefaultTimeout{60'000};

 private:
  HttpClient(HttpUrl url, std::string server, std::string user_agent)
      : url_(std::move(url)), server_(std::move(server)), user_agent_(std::move(user_agent)) {}

  HttpUrl url_;
  std::string server_;
  std::string user_agent_;
  std::string bearer_token_;
};

}  // namespace ide::http
