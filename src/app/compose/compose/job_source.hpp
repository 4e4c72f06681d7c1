// The result module's JobSource over the submission module. Joining them here, in the composition
// root, keeps the module graph a tree: the result module knows no other module.
#pragma once

#include <string_view>

#include "core/error.hpp"
#include "result/job_source.hpp"
#include "submission/submission_service.hpp"

namespace ide::compose {

class SubmissionJobSource final : public result::JobSource {
 public:
  /// `submissions` must outlive the source.
  explicit SubmissionJobSource(submission::SubmissionService& submissions)
      : submissions_(submissions) {}

  core::Result<result::JobInput> fetch(std::string_view submission_id) override;

 private:
  submission::SubmissionService& submissions_;
};

}  // namespace ide::compose
