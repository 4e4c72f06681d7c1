// An in-memory ResultService for tests: records enqueue calls, can be told to fail, serves the
// results a test sets. Thread-safe; nothing runs.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "result/result_service.hpp"

namespace ide::test {

class FakeResultService final : public result::ResultService {
 public:
  /// python, c, cpp, javascript and bash: the SPEC's minimum set.
  static std::vector<result::Language> default_languages() {
    return {{"python", "Python", "3.11.2"},
            {"c", "C", "12.2.0"},
            {"cpp", "C++", "12.2.0"},
            {"javascript", "JavaScript", "18.13.0"},
            {"bash", "Bash", "5.2.15"}};
  }

  explicit FakeResultService(std::vector<result::Language> languages = default_languages())
      : languages_(std::move(languages)) {}

  /// Records the call; fails with the configured error, else accepts `submission_id` once
  /// (a repeated id succeeds and changes nothing, like the real one).
  core::Result<void> enqueue(std::string_view submission_id) override {
    std::lock_guard lock(mutex_);
    calls_.emplace_back(submission_id);
    if (failure_) return core::fail(*failure_, "fake enqueue failure");
    if (std::find(accepted_.begin(), accepted_.end(), submission_id) == accepted_.end()) {
      accepted_.emplace_back(submission_id);
    }
    return {};
  }

  /// The result set by set_result(), else "queued" for an accepted id, else not_found.
  core::Result<result::RunResult> get_result(std::string_view submission_id) override {
    std::lock_guard lock(mutex_);
    if (auto it = results_.find(std::string(submission_id)); it != results_.end()) {
      return it->second;
    }
    if (std::find(accepted_.begin(), accepted_.end(), submission_id) == accepted_.end()) {
      return core::fail(core::ErrorCode::not_found, "no result");
    }
    result::RunResult queued;
    queued.id = std::string(submission_id);
    queued.status = result::Status::queued;
    return queued;
  }

  /// Answers get_result at once through `executor`, whatever `wait`.
  core::Result<result::WatchHandle> watch_result(std::string_view submission_id,
                                                 std::chrono::milliseconds /*wait*/,
                                                 result::CallbackExecutor executor,
                                                 result::ResultCallback done) override {
    executor([done = std::move(done), answer = get_result(submission_id)]() mutable {
      done(std::move(answer));
    });
    return result::WatchHandle();
  }

  /// unknown_language unless `language` is one of languages(); then the error set by
  /// fail_check_with(), if any; then the default LimitSettings' check of `limits`.
  core::Result<void> check_runnable(std::string_view language,
                                    const core::RequestedLimits& limits) override {
    std::lock_guard lock(mutex_);
    std::string served;
    for (const result::Language& each : languages_) {
      if (each.id == language) {
        if (check_failure_) return core::fail(*check_failure_, "fake check failure");
        return core::LimitSettings{}.check(limits);
      }
      served += (served.empty() ? "" : ", ") + each.id;
    }
    return core::fail(core::ErrorCode::unknown_language,
                      "Language '" + std::string(language) + "' is not served: " + served);
  }

  core::Result<std::vector<result::Language>> languages() override {
    std::lock_guard lock(mutex_);
    return languages_;
  }

  /// Accepted ids without a done result count as queued.
  core::Result<result::QueueStats> queue_stats() override {
    std::lock_guard lock(mutex_);
    result::QueueStats stats;
    for (const std::string& id : accepted_) {
      if (auto it = results_.find(id);
          it == results_.end() || it->second.status != result::Status::done) {
        ++stats.queued;
      }
    }
    return stats;
  }

  /// Forgets the ids whose result is done; those accepted but without a done result count as
  /// queued and are skipped, like the real one.
  core::Result<result::PurgeOutcome> purge(const std::vector<std::string>& ids) override {
    std::lock_guard lock(mutex_);
    result::PurgeOutcome outcome;
    for (const std::string& id : ids) {
      auto it = results_.find(id);
      const bool accepted = std::find(accepted_.begin(), accepted_.end(), id) != accepted_.end();
      if (it != results_.end() && it->second.status == result::Status::done) {
        results_.erase(it);
        std::erase(accepted_, id);
        ++outcome.purged;
      } else if (accepted || it != results_.end()) {
        outcome.skipped.push_back(id);
      }
    }
    return outcome;
  }

  /// Nothing is live here: done once the run is.
  core::Result<result::LiveOutput> read_live(std::string_view submission_id,
                                             std::uint64_t from_offset,
                                             std::chrono::milliseconds /*wait*/) override {
    auto now = get_result(submission_id);
    if (!now) return core::Unexpected(now.error());
    return result::LiveOutput{{}, from_offset, now->status == result::Status::done};
  }
  core::Result<result::StdinReply> send_stdin(std::string_view submission_id,
                                              std::string_view /*bytes*/,
                                              bool /*close*/) override {
    auto now = get_result(submission_id);
    if (!now) return result::StdinReply::not_found;
    return result::StdinReply::not_interactive;
  }

  // --- controls and observations for tests ---

  /// Every later enqueue fails with `code` (nullopt: succeeds again).
  void fail_enqueue_with(std::optional<core::ErrorCode> code) {
    std::lock_guard lock(mutex_);
    failure_ = code;
  }
  /// Every later check_runnable of a served language fails with `code` (nullopt: succeeds).
  void fail_check_with(std::optional<core::ErrorCode> code) {
    std::lock_guard lock(mutex_);
    check_failure_ = code;
  }
  void set_languages(std::vector<result::Language> languages) {
    std::lock_guard lock(mutex_);
    languages_ = std::move(languages);
  }
  /// What get_result and watch_result answer for run.id from now on.
  void set_result(result::RunResult run) {
    std::lock_guard lock(mutex_);
    std::string id = run.id;
    results_.insert_or_assign(std::move(id), std::move(run));
  }
  /// Every enqueue call, in order, failed ones included.
  std::vector<std::string> enqueue_calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  /// The ids accepted, each once, in the order first accepted.
  std::vector<std::string> enqueued() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  bool was_enqueued(std::string_view submission_id) const {
    std::lock_guard lock(mutex_);
    return std::find(accepted_.begin(), accepted_.end(), submission_id) != accepted_.end();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<result::Language> languages_;
  std::optional<core::ErrorCode> failure_;
  std::optional<core::ErrorCode> check_failure_;
  std::vector<std::string> calls_;
  std::vector<std::string> accepted_;
  std::map<std::string, result::RunResult> results_;
};

}  // namespace ide::test
