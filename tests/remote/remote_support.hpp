// Helpers of the remote tests: the real modules in a temp dir served over the internal API by
// the real HTTP server on a loopback port, and remote clients of it. The synchronous long poll
// is the retention tests' (tests/retention/retention_support.hpp).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "compose/job_source.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/ids.hpp"
#include "http/internal_routes.hpp"
#include "http/server.hpp"
#include "module_options.hpp"
#include "remote/remote_access.hpp"
#include "remote/remote_problem.hpp"
#include "remote/remote_result.hpp"
#include "remote/remote_submission.hpp"
#include "remote/remote_url.hpp"
#include "remote/transport.hpp"
#include "retention_support.hpp"
#include "support/temp_dir.hpp"

namespace ide::test {

inline constexpr std::string_view kToken = "remote-tests-token-0123";

/// A client transport of `module` at `base_url`, with short timeouts and backoff.
inline std::unique_ptr<remote::Transport> transport_to(const std::string& base_url,
                                                       const std::string& module,
                                                       std::string token = std::string(kToken)) {
  auto transport = remote::Transport::create({.base_url = base_url,
                                              .module = module,
                                              .token = std::move(token),
                                              .timeout = std::chrono::milliseconds(5'000),
                                              .first_backoff = std::chrono::milliseconds(10)});
  if (!transport) throw std::runtime_error(transport.error().message);
  return std::move(*transport);
}

/// Which modules an InternalServer answers for.
struct Hosted {
  bool submission = true;
  bool result = true;
  bool url = true;
  bool problem = true;
  bool access = true;
};

/// The five real modules (bash only, no isolation) behind the internal routes of a real server.
/// `hosted` says which of them the server answers for.
class InternalServer {
 public:
  explicit InternalServer(Hosted hosted = {}) : config_(module_config(dir_, 1)) {
    open_modules();
    http::Router router;
    http::add_internal_routes(router,
                              {.submissions = hosted.submission ? submissions_.get() : nullptr,
                               .results = hosted.result ? &results_->service() : nullptr,
                               .urls = hosted.url ? urls_.get() : nullptr,
                               .problems = hosted.problem ? problems_.get() : nullptr,
                               .access = hosted.access ? access_.get() : nullptr},
                              std::string(kToken));
    http::ServerOptions options;
    options.port = 0;
    options.blocking_threads = 4;
    options.drain_timeout = std::chrono::milliseconds(200);
    server_ = std::make_unique<http::Server>(options, std::move(router));
    if (auto started = server_->start(); !started) throw std::runtime_error("server failed");
  }
  InternalServer(const InternalServer&) = delete;
  InternalServer& operator=(const InternalServer&) = delete;
  ~InternalServer() {
    server_->stop();
    results_->stop(std::chrono::milliseconds(0));
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  submission::SubmissionService& local_submissions() { return *submissions_; }

 private:
  void open_modules() {
    auto results = result::make_result_module(app::result_options(config_), clock_);
    if (!results) throw std::runtime_error(results.error().message);
    results_ = std::move(*results);
    auto submissions = submission::make_submission_service(app::submission_options(config_),
                                                           results_->service(), clock_, ids_);
    if (!submissions) throw std::runtime_error(submissions.error().message);
    submissions_ = std::move(*submissions);
    jobs_ = std::make_unique<compose::SubmissionJobSource>(*submissions_);
    results_->start(*jobs_);
    auto urls = url::make_url_service(app::url_options(config_), *submissions_);
    if (!urls) throw std::runtime_error(urls.error().message);
    urls_ = std::move(*urls);
    auto problems = problem::make_problem_service(app::problem_options(config_), clock_, ids_);
    if (!problems) throw std::runtime_error(problems.error().message);
    problems_ = std::move(*problems);
    auto access = access::make_access_service(app::access_options(config_), clock_, ids_);
    if (!access) throw std::runtime_error(access.error().message);
    access_ = std::move(*access);
  }

  TempDir dir_;
  core::Config config_;
  core::SystemClock clock_;
  core::RandomIdGenerator ids_;
  std::unique_ptr<result::ResultModule> results_;
  std::unique_ptr<submission::SubmissionService> submissions_;
  std::unique_ptr<compose::SubmissionJobSource> jobs_;
  std::unique_ptr<url::UrlService> urls_;
  std::unique_ptr<problem::ProblemService> problems_;
  std::unique_ptr<access::AccessService> access_;
  std::unique_ptr<http::Server> server_;
};

/// Long-polls `id` until it is done (retention_support.hpp) and returns its result.
inline result::RunResult wait_done(result::ResultService& results, const std::string& id) {
  wait_for_status(results, id, result::Status::done);
  auto run = results.get_result(id);
  if (!run) throw std::runtime_error("get_result failed: " + run.error().message);
  return *run;
}

}  // namespace ide::test
