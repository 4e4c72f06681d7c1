// SubmissionService over the internal API: what a process that does not host the submission
// module calls instead. Callers cannot tell it from the module itself.
#pragma once

#include <memory>

#include "remote/transport.hpp"
#include "submission/submission_service.hpp"

namespace ide::remote {

/// Thread-safe. Every method may also answer unavailable: the hosting process cannot be reached.
/// Every call but submit_code is retried after a failure of the connection.
class RemoteSubmissionService final : public submission::SubmissionService {
 public:
  explicit RemoteSubmissionService(std::unique_ptr<Transport> transport)
      : transport_(std::move(transport)) {}

  core::Result<std::string> submit_code(submission::NewSubmission request) override;
  core::Result<submission::Submission> get(std::string_view id) override;
  core::Result<bool> exists(std::string_view id) override;
  core::Result<submission::SubmissionIdPage> list_created_before(core::TimePoint cutoff,
                                                                 std::size_t limit,
                                                                 std::string_view after) override;
  core::Result<submission::ClassSubmissionPage> list_class_submissions(
      const submission::ClassSubmissionQuery& query) override;
  core::Result<std::size_t> purge(const std::vector<std::string>& ids) override;

 private:
  std::unique_ptr<Transport> transport_;
};

}  // namespace ide::remote
