// Public interface of the problem module: a teacher's problems (statement, starter code, tests
// of which some are hidden, limits, comparison), which students submit to by id. The only header
// of it that others include.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/test_cases.hpp"

namespace ide::problem {

/// Bounds of a problem's fields (the count of tests is the max_tests setting).
inline constexpr std::size_t kMaxTitleBytes = 200;
inline constexpr std::size_t kMaxStatementBytes = 64 * 1024;
inline constexpr std::size_t kMaxStarterLanguages = 32;
inline constexpr std::size_t kMaxStarterCodeBytes = 64 * 1024;
inline constexpr std::size_t kMaxTestNameBytes = 64;

/// What a teacher writes: everything of a problem but its id and times.
struct ProblemContent {
  std::string title;      // 1 to kMaxTitleBytes
  std::string statement;  // Markdown, shown beside the editor
  std::map<std::string, std::string> starter_code = {};  // language id -> the editor's start
  // At least one. Hidden ones (core::TestCase::hidden) may stand anywhere: a submission runs
  // the visible ones first.
  std::vector<core::TestCase> tests = {};
  core::RequestedLimits limits = {};  // of each run; a test's own cpu_ms/wall_ms win
  core::Comparison compare = {};
};

struct Problem {
  std::string id;
  ProblemContent content;
  core::TimePoint created_at;
  core::TimePoint updated_at;
};

/// One line of list().
struct ProblemSummary {
  std::string id;
  std::string title;
  std::size_t visible_tests = 0;
  std::size_t hidden_tests = 0;
  core::TimePoint updated_at;
};

/// Keeps problems. In-process today, a remote client tomorrow: callers cannot tell.
/// Thread-safe.
class ProblemService {
 public:
  virtual ~ProblemService() = default;

  /// Stores a new problem; returns its id. Errors: invalid_argument (a field out of its bounds:
  /// empty or long title, long statement, too many starter languages or a long starter code or
  /// language id, no tests or more than max_tests, a long test name, a limit or a test limit
  /// below 1, compare.epsilon not within 0 and 1; the message names the field, e.g.
  /// "tests[3].name must be at most 64 bytes."; or max_problems are stored already),
  /// storage_unavailable.
  virtual core::Result<std::string> create(ProblemContent content) = 0;

  /// Replaces the content of problem `id` (its created_at stays). Submissions made before keep
  /// the tests they were judged on. Errors: not_found, those of create().
  virtual core::Result<void> replace(std::string_view id, ProblemContent content) = 0;

  /// Errors: not_found (including malformed ids), storage_unavailable.
  virtual core::Result<Problem> get(std::string_view id) = 0;

  /// Every problem, oldest first (at most max_problems). Errors: storage_unavailable.
  virtual core::Result<std::vector<ProblemSummary>> list() = 0;

  /// Deletes problem `id`. Errors: not_found, storage_unavailable.
  virtual core::Result<void> remove(std::string_view id) = 0;
};

}  // namespace ide::problem
