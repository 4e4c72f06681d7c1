// The JSON of /api/v1/problems: a problem as a teacher writes it, and as a student or an admin
// reads it.
#pragma once

#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "http/tests_codec.hpp"
#include "problem/problem_service.hpp"

namespace ide::http {

/// The body of POST and PUT /api/v1/problems: {"title", "statement"?, "starter_code"?:
/// {language: code}, "tests": [...] (tests_codec.hpp, `hidden` allowed), "compare"?,
/// "limits"?}. Errors: invalid_argument naming the field. Bounds are the problem module's.
core::Result<problem::ProblemContent> decode_problem(std::string_view body);

/// GET /api/v1/problems/{id}: id, title, statement, starter_code, limits, tests and compare
/// (hidden tests redacted unless `hidden_tests` is shown), visible_tests, hidden_tests,
/// created_at, updated_at.
boost::json::object encode_problem(const problem::Problem& problem, HiddenTests hidden_tests);

/// GET /api/v1/problems: {"problems": [{id, title, visible_tests, hidden_tests, updated_at}]}.
boost::json::object encode_problem_list(const std::vector<problem::ProblemSummary>& problems);

}  // namespace ide::http
