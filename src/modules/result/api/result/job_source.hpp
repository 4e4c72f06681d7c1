// The result module's port for what a job runs. The module does not know where submissions are
// kept: the composition root implements this over whichever module stores them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/test_cases.hpp"

namespace ide::result {

/// Everything one run needs, fetched when its job starts.
struct JobInput {
  std::string id;  // the submission id
  std::string language;
  std::string code;
  std::string stdin_data;
  core::RequestedLimits limits;
  std::vector<std::string> args = {};  // after the language's run command
  /// Set: an ok run must print it (stdout_matches), else it is wrong_answer.
  std::optional<std::string> expected_stdout = std::nullopt;
  std::vector<core::TestCase> tests = {};  // when not empty: run once per test (NewSubmission)
  core::Comparison compare = {};
  bool interactive = false;  // NewSubmission::interactive
};

/// Thread-safe: every worker fetches through it.
class JobSource {
 public:
  virtual ~JobSource() = default;

  /// The input of the job `submission_id`. Errors: not_found (the submission is gone: the job
  /// ends as internal_error), anything else (the job is tried again later).
  virtual core::Result<JobInput> fetch(std::string_view submission_id) = 0;
};

}  // namespace ide::result
