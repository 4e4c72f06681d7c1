#include "serve.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/core.h>

#include "compose/job_source.hpp"
#include "compose/submission_views.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "module_options.hpp"
#include "open_files.hpp"
#include "result/module.hpp"
#include "retention.hpp"
#include "submission/module.hpp"
#include "url/module.hpp"

namespace ide::app {

namespace {

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

/// Prepares the settings every command that reads the server config needs; "" when fine.
std::string prepare(const core::Config& config) {
  if (std::string problem = core::validate(config); !problem.empty()) return problem;
  core::log::set_level(config.log_level);
  return "";
}

void warn_insecure() {
  core::log::warn("**************************************************************************");
  core::log::warn("* --insecure-no-sandbox: submitted code runs WITHOUT ANY ISOLATION, with *");
  core::log::warn("* this user's rights. Never expose this server to anyone you don't trust. *");
  core::log::warn("**************************************************************************");
}

}  // namespace

int run_serve(const core::Config& config) {
  if (std::string problem = prepare(config); !problem.empty()) {
    fmt::print(stderr, "error: {}\n", problem);
    return 2;
  }
  // Before anything opens a file or starts a thread, so that every later one inherits it.
  std::uint64_t raised_from = 0;
  if (std::string problem = ensure_open_files(config, raised_from); !problem.empty()) {
    fmt::print(stderr, "error: {}\n", problem);
    return 1;
  }
  if (raised_from > 0) {
    core::log::info("open-file limit raised from {} to {} (max-connections {} and the workers)",
                    raised_from, open_files_needed(config), config.max_connections);
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    fmt::print(stderr, "error: cannot create data dir {}: {}\n", config.data_dir.string(),
               ec.message());
    return 1;
  }
  // The databases, their WAL files and the share secret are written here; on a read-only file
  // system SQLite's error would not say which directory is at fault.
  if (::access(config.data_dir.c_str(), W_OK) != 0) {
    fmt::print(stderr,
               "error: the data dir {} is not writable ({}): ide keeps its databases there\n",
               config.data_dir.string(), std::strerror(errno));
    return 1;
  }

  // Signals are caught before any thread exists, and handled on this thread only.
  boost::asio::io_context signal_io;
  boost::asio::signal_set signals(signal_io, SIGINT, SIGTERM);

  core::SystemClock clock;
  core::RandomIdGenerator ids;
  auto result = result::make_result_module(result_options(config), clock);
  if (!result) {
    fmt::print(stderr, "error: {}\n", result.error().message);
    // The hint is about isolation; a storage problem has nothing to do with it.
    if (!config.insecure_no_sandbox &&
        result.error().code != core::ErrorCode::storage_unavailable) {
      fmt::print(stderr,
                 "Run `ide doctor` for details. For development only, --insecure-no-sandbox runs "
                 "code without isolation.\n");
    }
    return 1;
  }
  auto& results = **result;
  auto submissions = submission::make_submission_service(submission_options(config),
                                                         results.service(), clock, ids);
  if (!submissions) {
    fmt::print(stderr, "error: {}\n", submissions.error().message);
    return 1;
  }
  compose::SubmissionJobSource jobs(**submissions);
  results.start(jobs);
  const auto grace = std::chrono::milliseconds(config.shutdown_grace_ms);
  auto urls = url::make_url_service(url_options(config), **submissions);
  if (!urls) {
    fmt::print(stderr, "error: {}\n", urls.error().message);
    results.stop(grace);
    return 1;
  }

  // Declared before the server and stopped with the result module, which answers its watches.
  http::ClientJobLimit client_jobs(results.service(), config.max_queued_per_client);
  http::ResultCache result_cache(config.result_cache_bytes);
  compose::SubmissionViews views(**submissions, results.service(), **urls);
  http::Router router;
  http::add_all_routes(router, **submissions, results.service(), **urls, views, config.public_url,
                       client_jobs, result_cache);
  http::Server server(http::ServerOptions::from_config(config), std::move(router));
  if (auto started = server.start(); !started) {
    fmt::print(stderr, "error: {}\n", started.error().message);
    results.stop(grace);
    return 1;
  }

  const std::string isolation = results.isolation_summary();
  for (std::string_view rest = isolation; !rest.empty();) {
    const std::size_t end = rest.find('\n');
    if (std::string_view line = rest.substr(0, end); !line.empty()) {
      core::log::info("{}", line);
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  if (config.insecure_no_sandbox) warn_insecure();
  fmt::print("listening on http://{}:{}\n", url_host(config.host), server.port());
  std::fflush(stdout);

  // Its first pass runs at once on the task's own thread, so serving does not wait for it.
  RetentionTask retention(**submissions, results.service(), **urls, clock,
                          RetentionOptions{.days = config.retention_days,
                                           .include_shared = config.retention_include_shared,
                                           .on_results_purged =
                                               [&result_cache](const auto& ids) {
                                                 result_cache.forget(ids);
                                               }});
  retention.start();

  int received = 0;
  signals.async_wait([&](const boost::system::error_code& wait_ec, int signal) {
    if (!wait_ec) received = signal;
  });
  signal_io.run();
  core::log::info("signal {} received: draining (a second signal exits at once)", received);

  // From here a second signal means "now".
  signal_io.restart();
  signals.async_wait([](const boost::system::error_code& wait_ec, int) {
    if (wait_ec) return;
    core::log::warn("second signal: exiting without draining");
    std::_Exit(1);
  });
  std::thread second_signal([&signal_io] { signal_io.run(); });

  server.stop_accepting();
  retention.stop();
  results.stop(grace);
  server.stop();
  urls->reset();
  submissions->reset();
  result->reset();

  signals.cancel();
  signal_io.stop();
  second_signal.join();
  core::log::info("stopped");
  return 0;
}

int run_doctor(const core::Config& config) {
  if (std::string problem = prepare(config); !problem.empty()) {
    fmt::print(stderr, "error: {}\n", problem);
    return 2;
  }
  fmt::print("{}", result::doctor_report(result_options(config)));
  std::fflush(stdout);
  return 0;
}

}  // namespace ide::app
