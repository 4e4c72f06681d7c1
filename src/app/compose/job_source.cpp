#include "compose/job_source.hpp"

#include <utility>

namespace ide::compose {

core::Result<result::JobInput> SubmissionJobSource::fetch(std::string_view submission_id) {
  core::Result<submission::Submission> found = submissions_.get(submission_id);
  if (!found) return core::Unexpected(found.error());
  return result::JobInput{.id = std::move(found->id),
                          .language = std::move(found->language),
                          .code = std::move(found->code),
                          .stdin_data = std::move(found->stdin_data),
                          .limits = found->limits,
                          .args = std::move(found->args),
                          .expected_stdout = std::move(found->expected_stdout),
                          .tests = std::move(found->tests),
                          .compare = found->compare,
                          .interactive = found->interactive};
}

}  // namespace ide::compose
