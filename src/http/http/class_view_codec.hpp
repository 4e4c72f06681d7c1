// The teacher's view of a class over HTTP (issue 12, item 4): the query of its submissions, and
// their JSON and the scores' CSV.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "compose/class_views.hpp"
#include "core/error.hpp"
#include "http/message.hpp"
#include "submission/submission_service.hpp"

namespace ide::http {

/// ?problem=ID&student=LABEL&limit=N (1 to 1000, default 100)&after=CURSOR of class `class_id`.
/// Errors: invalid_argument naming the parameter.
core::Result<submission::ClassSubmissionQuery> decode_class_query(const Request& request,
                                                                  std::string class_id);

/// {"submissions": [{"id", "language", "problem_id", "student", "created_at", "status",
/// "verdict", "passed", "total", "solved"}], "next"}: `next` is null on the last page.
boost::json::object encode_class_rows(const compose::ClassSubmissionRows& rows);

/// {"submissions", "truncated", "problems": [{"problem_id", "title", "submissions", "students",
/// "students_solved", "pass_rate"}], "scores": [{"student", "problem_id", "attempts",
/// "best_passed", "total", "solved", "best_submission_id", "last_submitted_at"}]}.
boost::json::object encode_class_report(const compose::ClassReport& report);

/// The scores as CSV (RFC 4180, a header line first): student, problem_id, problem_title,
/// attempts, best_passed, total, solved, best_submission_id, last_submitted_at. Cells that a
/// spreadsheet would run as a formula are prefixed with an apostrophe.
std::string encode_scores_csv(const compose::ClassReport& report);

}  // namespace ide::http
