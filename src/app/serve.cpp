#include "serve.hpp"

#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/core.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "compose/submission_views.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "hosted_modules.hpp"
#include "http/internal_routes.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "module_options.hpp"
#include "result/module.hpp"
#include "retention.hpp"
#include "serve_start.hpp"

namespace ide::app {

namespace {

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

/// Waits for SIGINT or SIGTERM; from then on a second one exits at once (on `second_signal`).
void wait_for_signal(boost::asio::io_context& signal_io, boost::asio::signal_set& signals,
                     std::thread& second_signal) {
  int received = 0;
  signals.async_wait([&](const boost::system::error_code& wait_ec, int signal) {
    if (!wait_ec) received = signal;
  });
  signal_io.run();
  core::log::info("signal {} received: draining (a second signal exits at once)", received);
  signal_io.restart();
  signals.async_wait([](const boost::system::error_code& wait_ec, int) {
    if (wait_ec) return;
    core::log::warn("second signal: exiting without draining");
    std::_Exit(1);
  });
  second_signal = std::thread([&signal_io] { signal_io.run(); });
}

/// The cap watches every accepted job until it is done: in process that is a callback, but a
/// remote result module would hold one of its few long-poll threads per job.
std::size_t max_queued_per_client(const core::Config& config) {
  if (core::hosts(config, "result") || config.max_queued_per_client == 0) {
    return config.max_queued_per_client;
  }
  core::log::warn("max_queued_per_client is not enforced: this process does not host result");
  return 0;
}

/// Retention purges in the process that hosts the submission module, which walks the old
/// submissions; a done result never changes, so only a purge makes the result cache stale, and
/// only this process hears of purges: elsewhere the cache stays off.
std::size_t result_cache_bytes(const core::Config& config) {
  return core::hosts(config, "submission") ? config.result_cache_bytes : 0;
}

/// The anonymous_access setting, which the configuration already checked.
http::AnonymousAccess anonymous_access(const core::Config& config) {
  return http::parse_anonymous_access(config.anonymous_access)
      .value_or(http::AnonymousAccess::rate_limited);
}

}  // namespace

int run_serve(const core::Config& config) {
  if (auto exit_code = check_can_start(config)) return *exit_code;

  // Signals are caught before any thread exists, and handled on this thread only.
  boost::asio::io_context signal_io;
  boost::asio::signal_set signals(signal_io, SIGINT, SIGTERM);

  core::SystemClock clock;
  core::RandomIdGenerator ids;
  auto modules = HostedModules::open(config, clock, ids);
  if (!modules) {
    report_open_failure(config, modules.error());
    return 1;
  }
  HostedModules& hosted = **modules;
  const auto grace = std::chrono::milliseconds(config.shutdown_grace_ms);

  // Declared before the server and stopped with the result module, which answers its watches.
  http::ClientJobLimit client_jobs(hosted.results(), max_queued_per_client(config));
  http::ResultCache result_cache(result_cache_bytes(config));
  compose::SubmissionViews views(hosted.submissions(), hosted.results(), hosted.urls());
  http::CallbackSender callbacks(views, http::CallbackSettings::from_config(config));
  http::Router router;
  http::add_all_routes(router, {.submissions = hosted.submissions(),
                                .results = hosted.results(),
                                .urls = hosted.urls(),
                                .problems = hosted.problems(),
                                .views = views,
                                .client_jobs = client_jobs,
                                .result_cache = result_cache,
                                .base_url = config.public_url,
                                .limits = config.limits,
                                .judge0 = {.auth_tokens = config.judge0_auth_tokens,
                                           .callbacks = &callbacks},
                                .admin_tokens = config.admin_tokens,
                                .access = &hosted.access(),
                                .anonymous_access = anonymous_access(config)});
  http::add_internal_routes(router, hosted.local(), config.internal_token);
  http::Server server(http::ServerOptions::from_config(config), std::move(router));
  if (auto started = server.start(); !started) {
    fmt::print(stderr, "error: {}\n", started.error().message);
    hosted.stop_results(grace);
    return 1;
  }
  log_start(config, hosted);
  fmt::print("listening on http://{}:{}\n", url_host(config.host), server.port());
  std::fflush(stdout);

  // Its first pass runs at once on the task's own thread, so serving does not wait for it.
  std::optional<RetentionTask> retention;
  if (hosted.hosts_submission()) {
    retention.emplace(hosted.submissions(), hosted.results(), hosted.urls(), clock,
                      RetentionOptions{.days = config.retention_days,
                                       .include_shared = config.retention_include_shared,
                                       .on_results_purged = [&result_cache](const auto& ids) {
                                         result_cache.forget(ids);
                                       }});
    retention->start();
  }

  std::thread second_signal;
  wait_for_signal(signal_io, signals, second_signal);
  server.stop_accepting();
  if (retention) retention->stop();
  hosted.stop_results(grace);
  callbacks.stop();  // before the modules its callbacks read go
  server.stop();
  modules->reset();

  signals.cancel();
  signal_io.stop();
  second_signal.join();
  core::log::info("stopped");
  return 0;
}

int run_doctor(const core::Config& config) {
  if (std::string problem = prepare_settings(config); !problem.empty()) {
    fmt::print(stderr, "error: {}\n", problem);
    return 2;
  }
  fmt::print("{}", result::doctor_report(result_options(config)));
  std::fflush(stdout);
  return 0;
}

}  // namespace ide::app
