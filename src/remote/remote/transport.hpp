// The client side of the internal API: POST /internal/v1/<module>/<method> with a JSON body, over
// blocking HTTP/1.1 (Boost.Beast) with bounded timeouts, a small keep-alive pool and retries for
// the calls that may be repeated.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/error.hpp"

namespace ide::remote {

/// The path prefix of every internal route, and the header every internal answer carries.
inline constexpr std::string_view kInternalPrefix = "/internal/v1";
inline constexpr std::string_view kInternalHeader = "Ide-Internal";
inline constexpr std::string_view kInternalVersion = "v1";
/// The longest wait of one watch_result call; the public API asks for up to 30 s.
inline constexpr std::chrono::milliseconds kMaxWatch{60'000};

struct TransportOptions {
  std::string base_url = {};  // http://host:port of the process hosting the module
  std::string module = {};    // "submission", "result" or "url": the path segment and for messages
  std::string token = {};     // sent as Authorization: Bearer <token>
  std::chrono::milliseconds timeout{10'000};  // connect + send + answer of one attempt
  std::size_t max_idle_connections = 16;
  unsigned attempts = 3;                        // of an idempotent call
  std::chrono::milliseconds first_backoff{50};  // doubles after each failed attempt
};

/// Whether a call may be sent again after a failure that leaves its fate unknown.
enum class Retry { idempotent, never };

/// Thread-safe: concurrent calls use separate connections.
class Transport {
 public:
  /// Errors: invalid_argument (base_url is not http://host:port).
  static core::Result<std::unique_ptr<Transport>> create(TransportOptions options);
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  ~Transport();

  /// Calls `method` of the module with `args` and returns the answer's JSON. An answer may take
  /// `extra_wait` longer than the timeout (a long poll). `stop` ends the call early (unavailable).
  /// Errors: the module's own error, as it answered it; unavailable when no answer came (cannot
  /// connect, timed out, not an ide internal endpoint, token refused, module not hosted there).
  core::Result<boost::json::value> call(std::string_view method, const boost::json::value& args,
                                        Retry retry, std::chrono::milliseconds extra_wait = {},
                                        std::stop_token stop = {});

  const std::string& base_url() const { return options_.base_url; }

  struct Connection;

 private:
  Transport(TransportOptions options, std::string host, std::string port);
  std::unique_ptr<Connection> acquire(bool reuse);
  void release(std::unique_ptr<Connection> connection);

  const TransportOptions options_;
  const std::string host_;
  const std::string port_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace ide::remote
