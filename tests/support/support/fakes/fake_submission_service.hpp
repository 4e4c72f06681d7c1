// An in-memory SubmissionService for tests: stores submissions in a map, counts lookups, can be
// told to fail. Thread-safe; nothing is validated, and nothing is handed off unless a test asks.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/ids.hpp"
#include "submission/submission_service.hpp"

namespace ide::test {

class FakeSubmissionService final : public submission::SubmissionService {
 public:
  /// Stores `request` under a new well-formed id (deterministic: a counter).
  core::Result<std::string> submit_code(submission::NewSubmission request) override {
    std::lock_guard lock(mutex_);
    if (failure_) return core::fail(*failure_, "fake submit failure");
    submission::Submission stored;
    stored.id = next_id_locked();
    stored.language = std::move(request.language);
    stored.code = std::move(request.code);
    stored.stdin_data = std::move(request.stdin_data);
    stored.args = std::move(request.args);
    stored.expected_stdout = std::move(request.expected_stdout);
    stored.tests = std::move(request.tests);
    stored.compare = request.compare;
    stored.problem_id = std::move(request.problem_id);
    stored.interactive = request.interactive;
    stored.class_id = std::move(request.class_id);
    stored.student = std::move(request.student);
    stored.limits = request.limits;
    std::string id = stored.id;
    submissions_.insert_or_assign(id, std::move(stored));
    if (hand_off_) {
      if (auto handed = hand_off_(id); !handed) return core::Unexpected(handed.error());
    }
    return id;
  }

  core::Result<submission::Submission> get(std::string_view id) override {
    std::lock_guard lock(mutex_);
    ++lookups_;
    if (failure_) return core::fail(*failure_, "fake lookup failure");
    auto it = submissions_.find(id);
    if (it == submissions_.end()) return core::fail(core::ErrorCode::not_found, "no submission");
    return it->second;
  }

  core::Result<bool> exists(std::string_view id) override {
    std::lock_guard lock(mutex_);
    ++lookups_;
    if (failure_) return core::fail(*failure_, "fake lookup failure");
    return submissions_.find(id) != submissions_.end();
  }

  /// Oldest first by (created_at, id); the cursor is the last id of the previous page.
  core::Result<submission::SubmissionIdPage> list_created_before(core::TimePoint cutoff,
                                                                 std::size_t limit,
                                                                 std::string_view after) override {
    std::lock_guard lock(mutex_);
    if (failure_) return core::fail(*failure_, "fake list failure");
    std::vector<std::pair<core::TimePoint, std::string>> old;
    for (const auto& [id, stored] : submissions_) {
      if (stored.created_at < cutoff) old.emplace_back(stored.created_at, id);
    }
    std::sort(old.begin(), old.end());
    auto begin = old.begin();
    if (!after.empty()) {
      const auto position = cursors_.find(after);
      if (position == cursors_.end()) {
        return core::fail(core::ErrorCode::invalid_argument, "unknown cursor");
      }
      begin = std::upper_bound(old.begin(), old.end(), position->second);
    }
    submission::SubmissionIdPage page;
    for (auto it = begin; it != old.end() && page.ids.size() < limit; ++it) {
      page.ids.push_back(it->second);
    }
    if (limit > 0 && page.ids.size() == limit) {
      page.next = "cursor" + std::to_string(cursors_.size());
      cursors_.emplace(page.next, *(begin + static_cast<std::ptrdiff_t>(limit) - 1));
    }
    return page;
  }

  /// Newest first by (created_at, id); the cursor is the index of the next row, so a submission
  /// added between pages shifts them (tests of the real paging use the real module).
  core::Result<submission::ClassSubmissionPage> list_class_submissions(
      const submission::ClassSubmissionQuery& query) override {
    std::lock_guard lock(mutex_);
    if (failure_) return core::fail(*failure_, "fake list failure");
    if (query.class_id.empty() || query.limit == 0 ||
        query.limit > submission::kMaxClassSubmissionPage) {
      return core::fail(core::ErrorCode::invalid_argument, "fake: bad class query");
    }
    std::size_t begin = 0;
    if (!query.after.empty() && !parse_index(query.after, begin)) {
      return core::fail(core::ErrorCode::invalid_argument, "fake: malformed cursor");
    }
    std::vector<submission::ClassSubmission> all;
    for (const auto& [id, stored] : submissions_) {
      if (stored.class_id != query.class_id) continue;
      if (!query.problem_id.empty() && stored.problem_id != query.problem_id) continue;
      if (!query.student.empty() && stored.student != query.student) continue;
      all.push_back({.id = id, .language = stored.language, .problem_id = stored.problem_id,
                     .student = stored.student, .created_at = stored.created_at});
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return std::tie(a.created_at, a.id) > std::tie(b.created_at, b.id);
    });
    submission::ClassSubmissionPage page;
    for (std::size_t i = begin; i < all.size() && page.submissions.size() < query.limit; ++i) {
      page.submissions.push_back(all[i]);
    }
    const std::size_t end = begin + page.submissions.size();
    if (end < all.size()) page.next = std::to_string(end);
    return page;
  }

  core::Result<std::size_t> purge(const std::vector<std::string>& ids) override {
    std::lock_guard lock(mutex_);
    if (failure_) return core::fail(*failure_, "fake purge failure");
    std::size_t removed = 0;
    for (const std::string& id : ids) removed += submissions_.erase(id);
    return removed;
  }

  // --- controls and observations for tests ---

  /// Stores `submission` as given (a new id when its id is empty); returns its id.
  std::string add(submission::Submission submission) {
    std::lock_guard lock(mutex_);
    if (submission.id.empty()) submission.id = next_id_locked();
    std::string id = submission.id;
    submissions_.insert_or_assign(id, std::move(submission));
    return id;
  }
  /// Every later submit is passed to `hand_off` (e.g. a result module's enqueue), as the real
  /// module hands it off; its error fails the submit. Empty: nothing is handed off.
  void hand_off_with(std::function<core::Result<void>(const std::string&)> hand_off) {
    std::lock_guard lock(mutex_);
    hand_off_ = std::move(hand_off);
  }
  /// Every later call fails with `code` (nullopt: succeeds again).
  void fail_with(std::optional<core::ErrorCode> code) {
    std::lock_guard lock(mutex_);
    failure_ = code;
  }
  /// How many get() and exists() calls were made.
  std::size_t lookups() const {
    std::lock_guard lock(mutex_);
    return lookups_;
  }
  /// How many submissions are stored.
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return submissions_.size();
  }

 private:
  static bool parse_index(std::string_view text, std::size_t& index) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), index);
    return error == std::errc() && end == text.data() + text.size();
  }

  std::string next_id_locked() {
    std::string number = std::to_string(++counter_);
    return "fake" + std::string(core::kIdLength - 4 - number.size(), '0') + number;
  }

  mutable std::mutex mutex_;
  std::map<std::string, submission::Submission, std::less<>> submissions_;
  std::map<std::string, std::pair<core::TimePoint, std::string>, std::less<>> cursors_;
  std::optional<core::ErrorCode> failure_;
  std::function<core::Result<void>(const std::string&)> hand_off_;
  std::size_t lookups_ = 0;
  std::size_t counter_ = 0;
};

}  // namespace ide::test
