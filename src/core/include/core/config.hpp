// Server settings (SPEC section 7): config/ide.toml, every key also a flag and an IDE_* variable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.hpp"

namespace CLI {
class App;
}

namespace ide::core {

struct Config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  std::filesystem::path data_dir = "data";
  std::filesystem::path languages_file = "config/languages.json";
  unsigned workers = 0;                          // 0: one per core
  std::size_t max_queue = 1000;                  // queued jobs before 503 queue_full
  std::size_t max_body_bytes = 8 * 1024 * 1024;  // 413 beyond
  std::size_t max_tests = 64;                    // test cases one submission may carry
  std::size_t max_connections = 1024;
  std::int64_t header_timeout_ms = 10'000;  // to read a request's headers
  std::int64_t body_timeout_ms = 30'000;    // to read its body
  std::size_t max_streams = 64;             // open WebSockets of /stream at most; 503 beyond
  std::int64_t stream_idle_timeout_ms = 60'000;  // a WebSocket silent this long (pings too) closes
  std::string public_url;                   // base of share links; empty: the Host header
  std::string share_secret;                 // empty: generated into data_dir on first start
  std::string url_store;                    // empty: SQLite in data_dir; or postgresql://...
  std::string problem_store;                // likewise, for problems
  std::size_t max_problems = 1000;          // problems kept at most
  std::string access_store;                 // likewise, for class tokens
  std::size_t max_class_tokens = 1000;      // class tokens kept at most
  std::string submission_store;             // likewise, for submissions
  std::string result_store;                 // likewise, for the queue and the results
  std::int64_t job_lease_ms = 30'000;       // a claimed job unrenewed this long runs again
  std::size_t max_unsent_bytes = 64 * 1024 * 1024;  // all unwritten responses together; 503 beyond
  std::size_t result_cache_bytes = 64 * 1024 * 1024;  // encoded done results kept; 0: none
  LimitSettings limits;
  bool insecure_no_sandbox = false;   // run code without isolation (development only)
  unsigned run_cpu_weight = 50;       // runs' cgroup CPU weight; the server has 100
  double rate_limit_per_minute = 60;  // submits per client; 0: off
  std::int64_t rate_limit_burst = 20;
  // One client cannot take the server. A client is the peer's IPv4 address or IPv6 /64, or
  // behind a proxy in trusted_proxies the X-Forwarded-For address that proxy saw.
  std::size_t max_connections_per_client = 32;  // 429 beyond; 0: off
  std::size_t max_queued_per_client = 10;       // unfinished submits, 429 beyond; 0: off
  std::vector<std::string> trusted_proxies;     // addresses or CIDR networks; empty: none
  std::vector<std::string> cors_origins;        // "https://host[:port]" or "*"; empty: CORS off
  // Judge0's API (docs/API.md): the X-Auth-Token values it accepts (empty: none needed), and
  // the hosts its callback_url may name (empty: callbacks are refused).
  std::vector<std::string> judge0_auth_tokens;
  std::vector<std::string> judge0_callback_hosts;  // "host" or "host:port"
  unsigned judge0_callback_tries = 3;              // PUTs of one callback at most
  std::int64_t judge0_callback_timeout_ms = 5'000;  // of one PUT
  // Bearer tokens that manage problems (docs/API.md); empty: problems can be read, not written.
  std::vector<std::string> admin_tokens;
  // What callers without a bearer token may do: rate_limited (submit within the per-address
  // limits), read_only (only read), off (only the page, health and languages).
  std::string anonymous_access = "rate_limited";
  std::int64_t shutdown_grace_ms = 10'000;      // SIGTERM: how long running jobs may finish
  std::int64_t retention_days = 30;             // 0: keep forever
  bool retention_include_shared = false;
  std::string log_level = "info";  // debug, info, warn, error
  // Split deployment (docs/DEPLOYMENT.md 2.2): the modules this process hosts; the others are
  // reached at their *_service_url over the internal API, authenticated by internal_token.
  std::vector<std::string> modules = {"submission", "result", "url", "problem", "access"};
  std::string submission_service_url;  // http://host:port of a process hosting submission
  std::string result_service_url;
  std::string url_service_url;
  std::string problem_service_url;
  std::string access_service_url;
  std::string internal_token;  // empty: no internal route is served and no module is remote
  std::int64_t internal_timeout_ms = 10'000;  // connect + answer of one internal call
};

/// The module names `modules` may list.
inline constexpr std::string_view kModuleNames[] = {"submission", "result", "url", "problem",
                                                    "access"};

/// Whether `config` hosts the module `name` in this process.
bool hosts(const Config& config, std::string_view name);

/// The configured *_service_url of module `name` ("" when not set).
const std::string& service_url(const Config& config, std::string_view name);

/// An http://host[:port] base URL taken apart.
struct HostPort {
  std::string host;  // IPv6 without its brackets
  std::string port;  // "80" when the URL has none
};

/// Parses `url` as http://host[:port] with at most a trailing '/'; nullopt when it is not one.
std::optional<HostPort> parse_base_url(std::string_view url);

/// Registers every Config field on `app` as a flag with an IDE_* environment variable, and
/// `--config FILE` (default config/ide.toml, skipped when that default is absent) read as TOML.
/// The TOML keys are the flag names, with '_' or '-' (e.g. `max_queue = 1000`). After
/// app.parse(), `config` holds the merged values: flag > environment > file > built-in default.
/// Uses `app`'s final callback to apply the file: do not replace it with app.callback().
void add_config_options(CLI::App& app, Config& config);

/// Checks the merged values make sense; returns a readable reason or "" when they do.
std::string validate(const Config& config);

/// `config.workers`, with 0 resolved to the number of cores.
unsigned worker_count(const Config& config);

}  // namespace ide::core
