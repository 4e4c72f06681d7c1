#include "module_options.hpp"

namespace ide::app {

result::ResultOptions result_options(const core::Config& config) {
  return {.data_dir = config.data_dir,
          .languages_file = config.languages_file,
          .workers = core::worker_count(config),
          .max_queue = config.max_queue,
          .store = config.result_store,
          .job_lease = std::chrono::milliseconds(config.job_lease_ms),
          .limits = config.limits,
          .insecure_no_sandbox = config.insecure_no_sandbox,
          .run_cpu_weight = config.run_cpu_weight};
}

submission::SubmissionOptions submission_options(const core::Config& config) {
  return {.data_dir = config.data_dir,
          .store = config.submission_store,
          .max_tests = config.max_tests};
}

url::UrlOptions url_options(const core::Config& config) {
  return {
      .data_dir = config.data_dir, .share_secret = config.share_secret, .store = config.url_store};
}

access::AccessOptions access_options(const core::Config& config) {
  return {.data_dir = config.data_dir,
          .store = config.access_store,
          .max_class_tokens = config.max_class_tokens};
}

problem::ProblemOptions problem_options(const core::Config& config) {
  return {.data_dir = config.data_dir,
          .store = config.problem_store,
          .max_tests = config.max_tests,
          .max_problems = config.max_problems};
}

}  // namespace ide::app
