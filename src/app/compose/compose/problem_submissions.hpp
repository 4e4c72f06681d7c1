// A submission to a problem: the problem module's tests, comparison and limits put into a
// submission for the submission module, which does not know problems.
#pragma once

#include <string_view>

#include "core/error.hpp"
#include "problem/problem_service.hpp"
#include "result/result_service.hpp"
#include "submission/submission_service.hpp"

namespace ide::compose {

/// `request` (language, code, stdin, args) made a submission to problem `problem_id`: it gets
/// the problem's tests, visible ones first (tests share a box's work dir, so a visible test
/// after a hidden one could print what the program kept of a hidden input), its comparison
/// and its limits, where the request's own limits may only lower them.
/// Errors: not_found (no such problem, in words that say so), invalid_argument (the request
/// carries tests or an expected stdout of its own), storage_unavailable.
core::Result<submission::NewSubmission> to_problem(problem::ProblemService& problems,
                                                   std::string_view problem_id,
                                                   submission::NewSubmission request);

/// Whether every language of `content`'s starter code is served, with `content`'s limits
/// (ResultService::check_runnable): a problem that could not run is refused when it is written.
/// Errors: unknown_language and invalid_limits, naming the field.
core::Result<void> check_problem_runnable(result::ResultService& results,
                                          const problem::ProblemContent& content);

}  // namespace ide::compose
