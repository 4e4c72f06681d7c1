#include "compose/submission_views.hpp"

#include <utility>

namespace ide::compose {

core::Result<result::RunResult> SubmissionViews::counting_unhanded(
    std::string_view id, core::Result<result::RunResult> answer) {
  if (answer || answer.error().code != core::ErrorCode::not_found) return answer;
  core::Result<bool> exists = submissions_.exists(id);
  if (!exists) return core::Unexpected(exists.error());
  if (!*exists) return core::fail(core::ErrorCode::not_found, "No submission has this id.");
  result::RunResult queued;
  queued.id = std::string(id);
  queued.status = result::Status::queued;
  return queued;
}

core::Result<result::RunResult> SubmissionViews::result(std::string_view id) {
  return counting_unhanded(id, results_.get_result(id));
}

core::Result<result::WatchHandle> SubmissionViews::watch_result(std::string_view id,
                                                                std::chrono::milliseconds wait,
                                                                result::CallbackExecutor executor,
                                                                result::ResultCallback done) {
  return results_.watch_result(
      id, wait, std::move(executor),
      [this, id = std::string(id), done = std::move(done)](core::Result<result::RunResult> answer) {
        done(counting_unhanded(id, std::move(answer)));
      });
}

core::Result<SharedSubmission> SubmissionViews::shared(std::string_view slug) {
  core::Result<std::string> id = urls_.resolve(slug);
  if (!id) return core::Unexpected(id.error());
  core::Result<submission::Submission> found = submissions_.get(*id);
  if (!found) return core::Unexpected(found.error());
  SharedSubmission shared{.slug = std::string(slug), .submission = std::move(*found), .result = {}};
  core::Result<result::RunResult> run = results_.get_result(*id);
  if (run) {
    shared.result = std::move(*run);
  } else if (run.error().code != core::ErrorCode::not_found) {
    return core::Unexpected(run.error());
  }
  return shared;
}

}  // namespace ide::compose
