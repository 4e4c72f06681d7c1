#include "http/class_view_codec.hpp"

#include <cstdint>
#include <map>

#include <fmt/format.h>

#include "http/codec.hpp"
#include "http/query.hpp"

namespace ide::http {

namespace {

namespace json = boost::json;

json::object encode_row(const compose::ClassSubmissionRow& row) {
  const submission::ClassSubmission& submission = row.submission;
  const compose::Outcome& outcome = row.outcome;
  return {{"id", submission.id},
          {"language", submission.language},
          {"problem_id", string_or_null(submission.problem_id)},
          {"student", string_or_null(submission.student)},
          {"created_at", core::to_rfc3339(submission.created_at)},
          {"status", result::to_string(outcome.status)},
          {"verdict", outcome.verdict ? json::value(result::to_string(*outcome.verdict))
                                      : json::value(nullptr)},
          {"passed", outcome.passed},
          {"total", outcome.total},
          {"solved", outcome.solved()}};
}

/// RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. A leading
/// =, +, - or @ would make a spreadsheet evaluate a student's label: it gets an apostrophe.
std::string csv_cell(std::string_view text) {
  std::string cell;
  if (!text.empty() && std::string_view("=+-@").find(text.front()) != std::string_view::npos) {
    cell = "'";
  }
  cell += text;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

}  // namespace

core::Result<submission::ClassSubmissionQuery> decode_class_query(const Request& request,
                                                                  std::string class_id) {
  auto limit = int_param(request, "limit", 1,
                         static_cast<std::int64_t>(submission::kMaxClassSubmissionPage), 100);
  if (!limit) return core::Unexpected(limit.error());
  return submission::ClassSubmissionQuery{
      .class_id = std::move(class_id),
      .problem_id = std::string(request.query_param("problem").value_or("")),
      .student = std::string(request.query_param("student").value_or("")),
      .limit = static_cast<std::size_t>(*limit),
      .after = std::string(request.query_param("after").value_or(""))};
}

json::object encode_class_rows(const compose::ClassSubmissionRows& rows) {
  json::array listed;
  for (const compose::ClassSubmissionRow& row : rows.rows) listed.push_back(encode_row(row));
  return {{"submissions", std::move(listed)}, {"next", string_or_null(rows.next)}};
}

json::object encode_class_report(const compose::ClassReport& report) {
  json::array problems;
  for (const compose::ProblemStats& stats : report.problems) {
    problems.push_back(
        {{"problem_id", stats.problem_id},
         {"title", stats.title},
         {"submissions", stats.submissions},
         {"students", stats.students},
         {"students_solved", stats.students_solved},
         {"pass_rate", stats.students == 0 ? 0.0
                                           : static_cast<double>(stats.students_solved) /
                                                 static_cast<double>(stats.students)}});
  }
  json::array scores;
  for (const compose::Score& score : report.scores) {
    scores.push_back({{"student", score.student},
                      {"problem_id", score.problem_id},
                      {"attempts", score.attempts},
                      {"best_passed", score.best_passed},
                      {"total", score.total},
                      {"solved", score.solved},
                      {"best_submission_id", score.best_submission_id},
                      {"last_submitted_at", core::to_rfc3339(score.last_submitted_at)}});
  }
  return {{"submissions", report.submissions},
          {"truncated", report.truncated},
          {"problems", std::move(problems)},
          {"scores", std::move(scores)}};
}

std::string encode_scores_csv(const compose::ClassReport& report) {
  std::map<std::string, std::string_view> titles;
  for (const compose::ProblemStats& stats : report.problems) titles[stats.problem_id] = stats.title;
  std::string csv =
      "student,problem_id,problem_title,attempts,best_passed,total,solved,best_submission_id,"
      "last_submitted_at\r\n";
  for (const compose::Score& score : report.scores) {
    csv += fmt::format("{},{},{},{},{},{},{},{},{}\r\n", csv_cell(score.student),
                       csv_cell(score.problem_id), csv_cell(titles[score.problem_id]),
                       score.attempts, score.best_passed, score.total,
                       score.solved ? "true" : "false", score.best_submission_id,
                       core::to_rfc3339(score.last_submitted_at));
  }
  return csv;
}

}  // namespace ide::http
