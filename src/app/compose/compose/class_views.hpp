// A teacher's view of a class (issue 12, item 4): its submissions with how each went, and per
// problem and per student how far they got. Reads across the submission, result and problem
// modules, so it lives here.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compose/submission_views.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "problem/problem_service.hpp"
#include "result/result_service.hpp"
#include "submission/submission_service.hpp"

namespace ide::compose {

/// How a submission went, as far as the result module knows yet.
struct Outcome {
  result::Status status = result::Status::queued;
  std::optional<result::Verdict> verdict = std::nullopt;  // once done
  std::size_t passed = 0;  // accepted tests
  std::size_t total = 0;   // its tests; 0 for a plain run
  /// Done and right: every test accepted, or (without tests) the verdict ok.
  bool solved() const;
};

struct ClassSubmissionRow {
  submission::ClassSubmission submission;
  Outcome outcome;
};

struct ClassSubmissionRows {
  std::vector<ClassSubmissionRow> rows;  // newest first
  std::string next;                      // as ClassSubmissionPage's
};

/// One problem the class submitted to.
struct ProblemStats {
  std::string problem_id;
  std::string title;  // "" when the problem was deleted since
  std::size_t submissions = 0;
  std::size_t students = 0;         // distinct student labels that submitted to it
  std::size_t students_solved = 0;  // of them, those with a solved submission
};

/// One student's best at one problem.
struct Score {
  std::string student;  // "" for submissions that named none
  std::string problem_id;
  std::size_t attempts = 0;
  std::size_t best_passed = 0;
  std::size_t total = 0;  // of the best submission
  bool solved = false;
  std::string best_submission_id;  // the first with best_passed (then the earliest)
  core::TimePoint last_submitted_at;
};

/// A report reads at most this many of a class's newest submissions.
inline constexpr std::size_t kMaxReportSubmissions = 10'000;

struct ClassReport {
  std::vector<ProblemStats> problems;  // by problem id
  std::vector<Score> scores;           // by student, then problem id
  std::size_t submissions = 0;         // read, plain runs included
  bool truncated = false;              // the class has more than kMaxReportSubmissions
};

/// Thread-safe. Every call may block on a module (run it off an event loop).
class ClassViews {
 public:
  /// The services must outlive the views.
  ClassViews(submission::SubmissionService& submissions, SubmissionViews& views,
             problem::ProblemService& problems)
      : submissions_(submissions), views_(views), problems_(problems) {}

  /// One page of the class's submissions, each with its outcome.
  /// Errors: those of list_class_submissions, storage_unavailable.
  core::Result<ClassSubmissionRows> page(const submission::ClassSubmissionQuery& query);

  /// Per problem and per student, over the class's submissions to problems.
  /// Errors: storage_unavailable, unavailable.
  core::Result<ClassReport> report(std::string_view class_id);

 private:
  core::Result<Outcome> outcome_of(const std::string& submission_id);

  submission::SubmissionService& submissions_;
  SubmissionViews& views_;
  problem::ProblemService& problems_;
};

}  // namespace ide::compose
