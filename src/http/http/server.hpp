// The HTTP/1.1 server: Boost.Beast, asynchronous I/O on a few threads, blocking calls into the
// modules on a separate pool, one strand per connection, limits and timeouts on every request.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "http/router.hpp"

namespace ide::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port; port() tells which
  std::size_t max_body_bytes = 8 * 1024 * 1024;     // 413 beyond, answered before reading it
  std::size_t max_header_bytes = 16 * 1024;         // 431 beyond
  std::size_t max_connections = 1024;               // 503 and close beyond
  // Per client address (IPv6: per /64), trusted proxies exempt: 429 and close beyond; 0: off.
  std::size_t max_connections_per_client = 32;
  // Peers (addresses or CIDR networks) whose X-Forwarded-For names the client.
  std::vector<std::string> trusted_proxies;
  // Origins whose pages may call the API from the browser (CorsPolicy); empty: CORS off.
  std::vector<std::string> cors_origins;
  std::chrono::milliseconds header_timeout{10'000};  // also the keep-alive idle time
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{60'000};
  std::size_t max_websockets = 64;  // open WebSockets at most: 503 beyond
  // A WebSocket closes when its client sends nothing (nor a pong to a ping sent at half of it).
  std::chrono::milliseconds websocket_idle_timeout{60'000};
  /// Bytes all responses not yet written may hold together; beyond, 503 unavailable.
  std::size_t max_unsent_bytes = 64 * 1024 * 1024;
  /// On stop(), how long exchanges in progress may still finish.
  std::chrono::milliseconds drain_timeout{2'000};
  double rate_limit_per_minute = 0;  // per client, for routes marked new_work; 0: off
  std::int64_t rate_limit_burst = 20;
  unsigned io_threads = 2;
  unsigned blocking_threads = 8;  // SQLite calls; long-polls do not hold one while they wait

  /// The settings of `config` that concern the HTTP server.
  static ServerOptions from_config(const core::Config& config);
};

class Server {
 public:
  Server(ServerOptions options, Router router);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  /// Calls stop().
  ~Server();

  /// Binds, listens and starts the threads. Errors: invalid_argument (a trusted_proxies entry
  /// is not an address or network), unavailable (e.g. the address is in use).
  core::Result<void> start();

  /// The port listened on (the real one when options.port was 0). Valid after start().
  std::uint16_t port() const;
  const std::string& host() const;

  /// Draining: routes marked new_work answer 503 shutting_down; everything else is still served.
  /// Thread-safe.
  void stop_accepting();
  bool accepting() const;

  /// Bytes held now by responses handed to connections and not yet written (at most
  /// max_unsent_bytes, or one larger response alone, plus a few hundred per 503 it answers).
  std::size_t unsent_bytes() const;

  /// Stops listening, lets exchanges in progress finish for up to drain_timeout, closes every
  /// connection and joins the threads. Callbacks that arrive later are ignored. Idempotent.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ide::http
