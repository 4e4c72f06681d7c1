// The modules of `ide serve`, local or remote (`--modules`): the modules this process hosts are
// built here, each other one is a remote client of the process named by its *_service_url.
// Either way the rest of the server sees the same five interfaces.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "access/access_service.hpp"
#include "compose/job_source.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "http/internal_routes.hpp"
#include "problem/problem_service.hpp"
#include "result/module.hpp"
#include "submission/submission_service.hpp"
#include "url/url_service.hpp"

namespace ide::app {

class HostedModules {
 public:
  /// Builds every module of `config.modules` (starting the result module's workers when it is
  /// one) and a remote client for each other one. `config` must be valid; `clock` and `ids` must
  /// outlive the modules. Errors: those of the local modules' factories.
  static core::Result<std::unique_ptr<HostedModules>> open(const core::Config& config,
                                                           const core::Clock& clock,
                                                           core::IdGenerator& ids);
  HostedModules(const HostedModules&) = delete;
  HostedModules& operator=(const HostedModules&) = delete;
  /// stop_results(0) if it was not called.
  ~HostedModules();

  submission::SubmissionService& submissions() const { return *submissions_; }
  result::ResultService& results() const { return *results_; }
  url::UrlService& urls() const { return *urls_; }
  problem::ProblemService& problems() const { return *problems_; }
  access::AccessService& access() const { return *access_; }

  /// The modules hosted here, for the internal routes.
  http::HostedServices local() const { return local_; }
  bool hosts_submission() const { return local_.submissions != nullptr; }

  /// One line per module, e.g. "result: remote, at http://10.0.0.2:8091", for the start-up log.
  std::vector<std::string> layout() const { return layout_; }
  /// The local result module's isolation lines; "" when it is remote.
  std::string isolation_summary() const;

  /// Drains the local result module (ResultModule::stop); nothing when it is remote.
  void stop_results(std::chrono::milliseconds grace);

 private:
  HostedModules() = default;
  core::Result<void> open_results(const core::Config& config, const core::Clock& clock);
  core::Result<void> open_submissions(const core::Config& config, const core::Clock& clock,
                                      core::IdGenerator& ids);
  core::Result<void> open_urls(const core::Config& config);
  core::Result<void> open_problems(const core::Config& config, const core::Clock& clock,
                                   core::IdGenerator& ids);
  core::Result<void> open_access(const core::Config& config, const core::Clock& clock,
                                 core::IdGenerator& ids);

  // Declared in the order they are built: each may use those above it.
  std::unique_ptr<result::ResultModule> result_module_;
  std::unique_ptr<result::ResultService> remote_results_;
  result::ResultService* results_ = nullptr;
  std::unique_ptr<submission::SubmissionService> submissions_;
  std::unique_ptr<compose::SubmissionJobSource> jobs_;
  std::unique_ptr<url::UrlService> urls_;
  std::unique_ptr<problem::ProblemService> problems_;
  std::unique_ptr<access::AccessService> access_;
  http::HostedServices local_;
  std::vector<std::string> layout_;
  bool results_running_ = false;
};

}  // namespace ide::app
