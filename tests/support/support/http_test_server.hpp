// The real HTTP server on a loopback port picked by the kernel, wired to in-memory fakes of the
// submission, result and url modules and the real problem and access modules on temp dirs, for
// tests of the HTTP layer. Header-only: used by tests that link ide_http, ide_problem and
// ide_access.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "access/module.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "problem/module.hpp"
#include "support/fakes/fake_submission_service.hpp"
#include "support/fakes/in_memory_url_service.hpp"
#include "support/fakes/long_poll_result_service.hpp"
#include "support/temp_dir.hpp"

namespace ide::test {

/// Judge0's settings for a test server: its tokens, and callbacks when `callbacks` is set.
struct Judge0Setup {
  std::vector<std::string> auth_tokens = {};
  std::optional<http::CallbackSettings> callbacks = std::nullopt;
};

/// The admin token every test server accepts (admin_tokens).
inline constexpr std::string_view kTestAdminToken = "test-admin-token-0123456789";

class HttpTestServer {
 public:
  /// Small limits and short timeouts so each can be exceeded cheaply.
  static http::ServerOptions small_options() {
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.max_body_bytes = 64 * 1024;
    options.max_header_bytes = 4 * 1024;
    options.header_timeout = std::chrono::milliseconds(1'000);
    options.body_timeout = std::chrono::milliseconds(1'000);
    options.drain_timeout = std::chrono::milliseconds(200);
    options.blocking_threads = 4;
    return options;
  }

  /// Starts the server with every route of the API plus whatever `extra` adds. Each client may
  /// have `max_queued_per_client` unfinished submissions (0: any number); done results are cached
  /// in up to `result_cache_bytes` (0: no cache); callers without a bearer token get `anonymous`.
  explicit HttpTestServer(http::ServerOptions options = small_options(),
                          std::string public_url = "",
                          const std::function<void(http::Router&)>& extra = {},
                          std::size_t max_queued_per_client = 0,
                          std::size_t result_cache_bytes = 64 * 1024 * 1024,
                          const Judge0Setup& judge0 = {},
                          http::AnonymousAccess anonymous = http::AnonymousAccess::rate_limited)
      : client_jobs(results, max_queued_per_client), result_cache(result_cache_bytes) {
    auto made = problem::make_problem_service({.data_dir = problem_dir.path()}, clock, ids);
    if (!made) throw std::runtime_error("problem module: " + made.error().message);
    problems = std::move(*made);
    auto access_made = access::make_access_service({.data_dir = access_dir.path()}, clock, ids);
    if (!access_made) throw std::runtime_error("access module: " + access_made.error().message);
    access = std::move(*access_made);
    if (judge0.callbacks) {
      callbacks = std::make_unique<http::CallbackSender>(views, *judge0.callbacks);
    }
    http::Router router;
    http::add_all_routes(router, {.submissions = submissions,
                                  .results = results,
                                  .urls = urls,
                                  .problems = *problems,
                                  .views = views,
                                  .client_jobs = client_jobs,
                                  .result_cache = result_cache,
                                  .base_url = public_url,
                                  .limits = {},
                                  .judge0 = {.auth_tokens = judge0.auth_tokens,
                                             .callbacks = callbacks.get()},
                                  .admin_tokens = {std::string(kTestAdminToken)},
                                  .access = access.get(),
                                  .anonymous_access = anonymous});
    if (extra) extra(router);
    server = std::make_unique<http::Server>(std::move(options), std::move(router));
    if (auto started = server->start(); !started) {
      throw std::runtime_error("test server did not start: " + started.error().message);
    }
  }

  /// The small options and Judge0's `judge0`.
  explicit HttpTestServer(const Judge0Setup& judge0)
      : HttpTestServer(small_options(), "", {}, 0, 64 * 1024 * 1024, judge0) {}

  /// The small options, and `anonymous` for callers without a bearer token.
  explicit HttpTestServer(http::AnonymousAccess anonymous)
      : HttpTestServer(small_options(), "", {}, 0, 64 * 1024 * 1024, {}, anonymous) {}

  std::uint16_t port() const { return server->port(); }

  // The fakes outlive the server, as the modules outlive it in `ide serve`.
  FakeSubmissionService submissions;
  LongPollResultService results;
  InMemoryUrlService urls{submissions};
  compose::SubmissionViews views{submissions, results, urls};
  TempDir problem_dir;
  core::SystemClock clock;
  core::RandomIdGenerator ids;
  std::unique_ptr<problem::ProblemService> problems;
  TempDir access_dir;
  std::unique_ptr<access::AccessService> access;
  http::ClientJobLimit client_jobs;
  http::ResultCache result_cache;
  std::unique_ptr<http::CallbackSender> callbacks;  // when Judge0Setup asks for them
  std::unique_ptr<http::Server> server;
};

}  // namespace ide::test
