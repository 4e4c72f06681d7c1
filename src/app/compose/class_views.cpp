#include "compose/class_views.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace ide::compose {

namespace {

/// A student's submissions to one problem, folded into a Score as they come (newest first).
void fold(Score& score, const submission::ClassSubmission& submission, const Outcome& outcome) {
  if (score.attempts++ == 0) score.last_submitted_at = submission.created_at;
  // Newest first: ">=" leaves the earliest of equally good submissions as the best.
  const bool better = outcome.solved() > score.solved ||
                      (outcome.solved() == score.solved && outcome.passed >= score.best_passed);
  if (score.best_submission_id.empty() || better) {
    score.best_passed = outcome.passed;
    score.total = outcome.total;
    score.solved = outcome.solved();
    score.best_submission_id = submission.id;
  }
}

/// The problems' stats from the students' scores; titles from the problem module.
std::vector<ProblemStats> problem_stats(const std::vector<Score>& scores,
                                        problem::ProblemService& problems) {
  std::map<std::string, ProblemStats> by_problem;
  for (const Score& score : scores) {
    ProblemStats& stats = by_problem[score.problem_id];
    stats.problem_id = score.problem_id;
    stats.submissions += score.attempts;
    ++stats.students;
    if (score.solved) ++stats.students_solved;
  }
  std::vector<ProblemStats> listed;
  for (auto& [id, stats] : by_problem) {
    if (auto found = problems.get(id)) stats.title = found->content.title;
    listed.push_back(std::move(stats));
  }
  return listed;
}

}  // namespace

bool Outcome::solved() const {
  if (status != result::Status::done) return false;
  if (total > 0) return passed == total;
  return verdict == result::Verdict::ok;
}

core::Result<Outcome> ClassViews::outcome_of(const std::string& submission_id) {
  auto run = views_.result(submission_id);
  // Purged by retention between the list and here: it no longer counts as anything.
  if (!run && run.error().code == core::ErrorCode::not_found) return Outcome{};
  if (!run) return core::Unexpected(run.error());
  Outcome outcome{.status = run->status, .verdict = std::nullopt, .passed = 0,
                  .total = run->tests.size()};
  if (run->status != result::Status::done) return outcome;
  outcome.verdict = run->verdict;
  outcome.passed = static_cast<std::size_t>(
      std::count_if(run->tests.begin(), run->tests.end(),
                    [](const result::TestOutcome& test) {
                      return test.verdict == result::Verdict::ok;
                    }));
  return outcome;
}

core::Result<ClassSubmissionRows> ClassViews::page(const submission::ClassSubmissionQuery& query) {
  auto listed = submissions_.list_class_submissions(query);
  if (!listed) return core::Unexpected(listed.error());
  ClassSubmissionRows page{.rows = {}, .next = std::move(listed->next)};
  page.rows.reserve(listed->submissions.size());
  for (submission::ClassSubmission& each : listed->submissions) {
    auto outcome = outcome_of(each.id);
    if (!outcome) return core::Unexpected(outcome.error());
    page.rows.push_back({.submission = std::move(each), .outcome = *outcome});
  }
  return page;
}

core::Result<ClassReport> ClassViews::report(std::string_view class_id) {
  ClassReport report;
  std::map<std::pair<std::string, std::string>, Score> scores;  // by (student, problem)
  submission::ClassSubmissionQuery query{.class_id = std::string(class_id),
                                         .problem_id = {},
                                         .student = {},
                                         .limit = submission::kMaxClassSubmissionPage,
                                         .after = {}};
  do {
    auto page = this->page(query);
    if (!page) return core::Unexpected(page.error());
    for (const ClassSubmissionRow& row : page->rows) {
      if (report.submissions == kMaxReportSubmissions) {
        report.truncated = true;
        break;
      }
      ++report.submissions;
      const submission::ClassSubmission& submission = row.submission;
      if (submission.problem_id.empty()) continue;
      Score& score = scores[{submission.student, submission.problem_id}];
      score.student = submission.student;
      score.problem_id = submission.problem_id;
      fold(score, submission, row.outcome);
    }
    query.after = std::move(page->next);
  } while (!query.after.empty() && !report.truncated);
  for (auto& [key, score] : scores) report.scores.push_back(std::move(score));
  report.problems = problem_stats(report.scores, problems_);
  return report;
}

}  // namespace ide::compose
