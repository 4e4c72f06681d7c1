#include "hosted_modules.hpp"

#include <utility>

#include "access/module.hpp"
#include "module_options.hpp"
#include "problem/module.hpp"
#include "remote/remote_access.hpp"
#include "remote/remote_problem.hpp"
#include "remote/remote_result.hpp"
#include "remote/remote_submission.hpp"
#include "remote/remote_url.hpp"
#include "remote/transport.hpp"
#include "submission/module.hpp"
#include "url/module.hpp"

namespace ide::app {

namespace {

/// The client of module `name` at its configured URL (validated: creation cannot fail).
std::unique_ptr<remote::Transport> transport_to(const core::Config& config, std::string name) {
  auto transport =
      remote::Transport::create({.base_url = core::service_url(config, name),
                                 .module = std::move(name),
                                 .token = config.internal_token,
                                 .timeout = std::chrono::milliseconds(config.internal_timeout_ms)});
  return std::move(*transport);
}

std::string remote_line(const core::Config& config, std::string_view name) {
  return std::string(name) + ": remote, at " + core::service_url(config, name);
}

}  // namespace

core::Result<std::unique_ptr<HostedModules>> HostedModules::open(const core::Config& config,
                                                                 const core::Clock& clock,
                                                                 core::IdGenerator& ids) {
  std::unique_ptr<HostedModules> modules(new HostedModules());
  if (auto opened = modules->open_results(config, clock); !opened) {
    return core::Unexpected(opened.error());
  }
  if (auto opened = modules->open_submissions(config, clock, ids); !opened) {
    return core::Unexpected(opened.error());
  }
  if (auto opened = modules->open_urls(config); !opened) return core::Unexpected(opened.error());
  if (auto opened = modules->open_problems(config, clock, ids); !opened) {
    return core::Unexpected(opened.error());
  }
  if (auto opened = modules->open_access(config, clock, ids); !opened) {
    return core::Unexpected(opened.error());
  }
  return modules;
}

HostedModules::~HostedModules() { stop_results(std::chrono::milliseconds(0)); }

core::Result<void> HostedModules::open_results(const core::Config& config,
                                               const core::Clock& clock) {
  if (!core::hosts(config, "result")) {
    remote_results_ = std::make_unique<remote::RemoteResultService>(transport_to(config, "result"));
    results_ = remote_results_.get();
    layout_.push_back(remote_line(config, "result"));
    return {};
  }
  auto made = result::make_result_module(result_options(config), clock);
  if (!made) return core::Unexpected(made.error());
  result_module_ = std::move(*made);
  results_ = &result_module_->service();
  local_.results = results_;
  layout_.push_back("result: local");
  return {};
}

core::Result<void> HostedModules::open_submissions(const core::Config& config,
                                                   const core::Clock& clock,
                                                   core::IdGenerator& ids) {
  if (core::hosts(config, "submission")) {
    auto made =
        submission::make_submission_service(submission_options(config), *results_, clock, ids);
    if (!made) return core::Unexpected(made.error());
    submissions_ = std::move(*made);
    local_.submissions = submissions_.get();
    layout_.push_back("submission: local");
  } else {
    submissions_ =
        std::make_unique<remote::RemoteSubmissionService>(transport_to(config, "submission"));
    layout_.push_back(remote_line(config, "submission"));
  }
  if (result_module_) {
    // The workers fetch what they run through the submission module, wherever it is.
    jobs_ = std::make_unique<compose::SubmissionJobSource>(*submissions_);
    result_module_->start(*jobs_);
    results_running_ = true;
  }
  return {};
}

core::Result<void> HostedModules::open_urls(const core::Config& config) {
  if (!core::hosts(config, "url")) {
    urls_ = std::make_unique<remote::RemoteUrlService>(transport_to(config, "url"));
    layout_.push_back(remote_line(config, "url"));
    return {};
  }
  auto made = url::make_url_service(url_options(config), *submissions_);
  if (!made) return core::Unexpected(made.error());
  urls_ = std::move(*made);
  local_.urls = urls_.get();
  layout_.push_back("url: local");
  return {};
}

core::Result<void> HostedModules::open_problems(const core::Config& config,
                                                const core::Clock& clock,
                                                core::IdGenerator& ids) {
  if (!core::hosts(config, "problem")) {
    problems_ = std::make_unique<remote::RemoteProblemService>(transport_to(config, "problem"));
    layout_.push_back(remote_line(config, "problem"));
    return {};
  }
  auto made = problem::make_problem_service(problem_options(config), clock, ids);
  if (!made) return core::Unexpected(made.error());
  problems_ = std::move(*made);
  local_.problems = problems_.get();
  layout_.push_back("problem: local");
  return {};
}

core::Result<void> HostedModules::open_access(const core::Config& config,
                                              const core::Clock& clock, core::IdGenerator& ids) {
  if (!core::hosts(config, "access")) {
    access_ = std::make_unique<remote::RemoteAccessService>(transport_to(config, "access"));
    layout_.push_back(remote_line(config, "access"));
    return {};
  }
  auto made = access::make_access_service(access_options(config), clock, ids);
  if (!made) return core::Unexpected(made.error());
  access_ = std::move(*made);
  local_.access = access_.get();
  layout_.push_back("access: local");
  return {};
}

std::string HostedModules::isolation_summary() const {
  return result_module_ ? result_module_->isolation_summary() : std::string();
}

void HostedModules::stop_results(std::chrono::milliseconds grace) {
  if (!results_running_) return;
  results_running_ = false;
  result_module_->stop(grace);
}

}  // namespace ide::app
