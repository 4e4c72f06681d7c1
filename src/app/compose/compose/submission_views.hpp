// What the public API shows that no single module knows: a result counting accepted work that was
// not yet handed off, and the share view. The one place where reads cross modules.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "result/result_service.hpp"
#include "submission/submission_service.hpp"
#include "url/url_service.hpp"

namespace ide::compose {

/// A shared submission as anyone with its slug sees it.
struct SharedSubmission {
  std::string slug;
  submission::Submission submission;
  std::optional<result::RunResult> result;  // none before the result module has heard of it
};

/// Thread-safe. Every call may block on a module (run it off an event loop).
class SubmissionViews {
 public:
  /// The services must outlive the views.
  SubmissionViews(submission::SubmissionService& submissions, result::ResultService& results,
                  url::UrlService& urls)
      : submissions_(submissions), results_(results), urls_(urls) {}

  /// The result of submission `id`. One saved but not yet handed to the result module (a crash
  /// in between is replayed at the next start) is accepted work: queued, not unknown.
  /// Errors: not_found, storage_unavailable.
  core::Result<result::RunResult> result(std::string_view id);

  /// ResultService::watch_result with the same rule; `done` runs through `executor`.
  core::Result<result::WatchHandle> watch_result(std::string_view id,
                                                 std::chrono::milliseconds wait,
                                                 result::CallbackExecutor executor,
                                                 result::ResultCallback done);

  /// The submission behind `slug`, with its result when the result module has one.
  /// Errors: not_found (unknown slug or submission), storage_unavailable.
  core::Result<SharedSubmission> shared(std::string_view slug);

 private:
  /// `answer`, unless it is not_found for a submission that exists: then it is queued.
  core::Result<result::RunResult> counting_unhanded(std::string_view id,
                                                    core::Result<result::RunResult> answer);

  submission::SubmissionService& submissions_;
  result::ResultService& results_;
  url::UrlService& urls_;
};

}  // namespace ide::compose
