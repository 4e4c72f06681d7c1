// The result module's port for what a job runs. The module does not know where submissions are
// kept: the composition root implements this over whichever module stores them.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/limits.hpp"

namespace ide::result {

/// Everything one run needs, fetched when its job starts.
struct JobInput {
  std::string id;  // the submission id
  std::string language;
  std::string code;
  std::string stdin_data;
  core::RequestedLimits limits;
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
