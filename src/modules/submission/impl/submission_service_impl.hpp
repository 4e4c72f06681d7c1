// The in-process SubmissionService: validates, persists through a SubmissionStore, hands off.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "result/result_service.hpp"
#include "submission/submission_service.hpp"
#include "submission_store.hpp"

namespace ide::submission {

class SubmissionServiceImpl final : public SubmissionService {
 public:
  /// `results`, `clock` and `ids` must outlive the service. A submission may carry at most
  /// `max_tests` tests.
  SubmissionServiceImpl(std::unique_ptr<SubmissionStore> store, result::ResultService& results,
                        const core::Clock& clock, core::IdGenerator& ids, std::size_t max_tests);

  core::Result<std::string> submit_code(NewSubmission request) override;
  core::Result<Submission> get(std::string_view id) override;
  core::Result<bool> exists(std::string_view id) override;
  core::Result<SubmissionIdPage> list_created_before(core::TimePoint cutoff, std::size_t limit,
                                                     std::string_view after) override;
  core::Result<ClassSubmissionPage> list_class_submissions(
      const ClassSubmissionQuery& query) override;
  core::Result<std::size_t> purge(const std::vector<std::string>& ids) override;

  /// Hands every stored but unacknowledged submission to the result module again, oldest first
  /// (a crash, or a failed enqueue, between saving and the acknowledgement). Those it still
  /// cannot hand off are retried after later successful submissions.
  /// Errors: storage_unavailable, internal (reading the outbox failed).
  core::Result<void> replay_pending();

 private:
  // Enqueues `id` and records the acknowledgement; the enqueue error when there is none.
  core::Result<void> hand_off(const std::string& id);
  // Whether the result module would run the tests' own cpu_ms and wall_ms (invalid_limits
  // naming the test otherwise); nothing to ask when no test sets one.
  core::Result<void> check_test_limits(const NewSubmission& request);
  // Hands off the ids whose enqueue failed earlier in this process.
  void retry_failed_hand_offs();

  std::unique_ptr<SubmissionStore> store_;
  result::ResultService& results_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;
  const std::size_t max_tests_;

  std::mutex retry_mutex_;
  std::vector<std::string> retry_ids_;  // saved, not acknowledged, not refused: must still run
};

}  // namespace ide::submission
