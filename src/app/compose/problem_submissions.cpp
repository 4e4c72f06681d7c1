#include "compose/problem_submissions.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

namespace ide::compose {

namespace {

std::optional<std::int64_t> lower(std::optional<std::int64_t> problem,
                                  std::optional<std::int64_t> requested) {
  if (!problem) return requested;
  if (!requested) return problem;
  return std::min(*problem, *requested);
}

}  // namespace

core::Result<submission::NewSubmission> to_problem(problem::ProblemService& problems,
                                                   std::string_view problem_id,
                                                   submission::NewSubmission request) {
  if (!request.tests.empty() || request.expected_stdout) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "A submission to a problem is judged on the problem's tests: leave out "
                      "tests and expected_stdout.");
  }
  auto found = problems.get(problem_id);
  if (!found) {
    if (found.error().code != core::ErrorCode::not_found) return core::Unexpected(found.error());
    return core::fail(core::ErrorCode::not_found,
                      "No problem has the id '" + std::string(problem_id) + "'.");
  }
  problem::ProblemContent& content = found->content;
  std::stable_partition(content.tests.begin(), content.tests.end(),
                        [](const core::TestCase& test) { return !test.hidden; });
  request.tests = std::move(content.tests);
  request.compare = content.compare;
  request.limits = {.cpu_ms = lower(content.limits.cpu_ms, request.limits.cpu_ms),
                    .wall_ms = lower(content.limits.wall_ms, request.limits.wall_ms),
                    .memory_kb = lower(content.limits.memory_kb, request.limits.memory_kb)};
  request.problem_id = std::move(found->id);
  return request;
}

core::Result<void> check_problem_runnable(result::ResultService& results,
                                          const problem::ProblemContent& content) {
  for (const auto& [language, code] : content.starter_code) {
    auto runnable = results.check_runnable(language, content.limits);
    if (!runnable) {
      core::Error error = runnable.error();
      error.message = "starter_code." + language + ": " + error.message;
      return core::Unexpected(std::move(error));
    }
  }
  if (!content.starter_code.empty()) return {};
  // No starter code names a language: the limits are checked against any served one.
  auto languages = results.languages();
  if (!languages) return core::Unexpected(languages.error());
  if (languages->empty()) return {};
  return results.check_runnable(languages->front().id, content.limits);
}

}  // namespace ide::compose
