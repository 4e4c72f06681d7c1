// Public interface of the submission module: the only header of it that others include.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/test_cases.hpp"

namespace ide::submission {

/// At most this many program arguments, each at most kMaxArgBytes long.
inline constexpr std::size_t kMaxArgs = 64;
inline constexpr std::size_t kMaxArgBytes = 4096;
/// A test's name is at most this long (how many tests a submission may carry is a setting).
inline constexpr std::size_t kMaxTestNameBytes = 64;
/// A student's label (the name a student of a class submits under) is at most this long.
inline constexpr std::size_t kMaxStudentLabelBytes = 64;

struct NewSubmission {
  std::string language;
  std::string code;        // any bytes the JSON carried, stored byte-exact
  std::string stdin_data;  // likewise
  core::RequestedLimits limits;
  std::vector<std::string> args = {};  // given to the program after its own name
  /// When set, a run that ends well is wrong_answer unless its stdout matches this, ignoring
  /// each line's trailing whitespace and the whole's leading and trailing whitespace (Judge0's
  /// rule).
  std::optional<std::string> expected_stdout = std::nullopt;
  /// When not empty: the code is compiled once and run once per test, each with its stdin, and
  /// its stdout compared with the test's by `compare`; stdin_data and expected_stdout are unused.
  std::vector<core::TestCase> tests = {};
  core::Comparison compare = {};
  /// The problem (problem module) whose tests `tests` were copied from; "" when none.
  std::string problem_id = {};
  /// The run's stdin stays open after stdin_data for lines sent while it runs
  /// (ResultService's live output); it ends when the sender closes it or at the wall limit.
  bool interactive = false;
  /// The class (access module's class token id) it was submitted as; "" when anonymous.
  std::string class_id = {};
  /// Who of the class submitted it, as the student said; "" when not said.
  std::string student = {};
};

struct Submission {
  std::string id;
  std::string language;
  std::string code;
  std::string stdin_data;
  core::RequestedLimits limits;
  std::vector<std::string> args = {};
  std::optional<std::string> expected_stdout = std::nullopt;
  std::vector<core::TestCase> tests = {};
  core::Comparison compare = {};
  std::string problem_id = {};
  bool interactive = false;
  std::string class_id = {};
  std::string student = {};
  core::TimePoint created_at;
};

/// One page of list_created_before().
struct SubmissionIdPage {
  std::vector<std::string> ids;  // oldest first
  std::string next;  // opaque: pass it back as `after` for the next page; empty when none follows
};

/// At most this many submissions on one page of list_class_submissions().
inline constexpr std::size_t kMaxClassSubmissionPage = 1000;

struct ClassSubmissionQuery {
  std::string class_id;
  std::string problem_id = {};  // "" = any problem (and none)
  std::string student = {};     // "" = any student
  std::size_t limit = 100;      // 1..kMaxClassSubmissionPage
  std::string after = {};       // the `next` of the previous page; "" starts at the newest
};

struct ClassSubmission {  // what a teacher's list shows, without code or stdin
  std::string id;
  std::string language;
  std::string problem_id;
  std::string student;
  core::TimePoint created_at;
};

struct ClassSubmissionPage {
  std::vector<ClassSubmission> submissions;  // newest first
  std::string next;  // opaque cursor; empty when no more
};

/// Stores submissions and hands each new one to the result module. In-process today, a remote
/// client tomorrow: callers cannot tell. Thread-safe.
class SubmissionService {
 public:
  virtual ~SubmissionService() = default;

  /// Asks the result module whether it would run `request` (ResultService::check_runnable),
  /// persists it, then hands it to the result module for execution. Returns the new submission id.
  /// Errors: unknown_language, invalid_limits (also a test's cpu_ms or wall_ms),
  /// invalid_argument (too many or too long args; more tests than allowed, a test name longer
  /// than kMaxTestNameBytes, a visible test after a hidden one, compare.epsilon not within 0
  /// and 1; a student longer than kMaxStudentLabelBytes, not UTF-8 or holding a control
  /// character, or given without a class_id),
  /// queue_full (nothing kept), shutting_down,
  /// storage_unavailable, internal.
  virtual core::Result<std::string> submit_code(NewSubmission request) = 0;

  /// The stored submission. Errors: not_found (including malformed ids), storage_unavailable.
  virtual core::Result<Submission> get(std::string_view id) = 0;

  /// Whether `id` names a stored submission, without loading its code.
  /// Errors: storage_unavailable.
  virtual core::Result<bool> exists(std::string_view id) = 0;

  /// Up to `limit` ids of submissions created before `cutoff`, oldest first, starting after the
  /// page whose `next` is `after` ("" starts at the oldest). The cursor, not the ids themselves,
  /// says where to continue, so ids a caller keeps do not come back on the next page.
  /// Errors: invalid_argument (malformed `after`), storage_unavailable.
  virtual core::Result<SubmissionIdPage> list_created_before(core::TimePoint cutoff,
                                                             std::size_t limit,
                                                             std::string_view after) = 0;

  /// A class's submissions, newest first, filtered by problem and student when those are set.
  /// Errors: invalid_argument (limit 0 or above kMaxClassSubmissionPage, malformed `after`,
  /// empty class_id), storage_unavailable.
  virtual core::Result<ClassSubmissionPage> list_class_submissions(
      const ClassSubmissionQuery& query) = 0;

  /// Deletes the submissions `ids` (unknown and malformed ids are ignored) and forgets any pending
  /// hand-off of them; returns how many were deleted. The file keeps its size: freed pages are
  /// reused by later submissions. Errors: storage_unavailable, internal.
  virtual core::Result<std::size_t> purge(const std::vector<std::string>& ids) = 0;
};

}  // namespace ide::submission
