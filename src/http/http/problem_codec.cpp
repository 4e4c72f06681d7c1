#include "http/problem_codec.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "http/codec.hpp"

namespace ide::http {

namespace json = boost::json;

namespace {

core::Result<std::map<std::string, std::string>> decode_starter_code(const json::object& body) {
  std::map<std::string, std::string> starter;
  const json::value* value = body.if_contains("starter_code");
  if (value == nullptr || value->is_null()) return starter;
  if (!value->is_object()) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "Field 'starter_code' must be an object of language ids to code.");
  }
  for (const auto& [language, code] : value->as_object()) {
    if (!code.is_string()) {
      return core::fail(core::ErrorCode::invalid_argument,
                        "Field 'starter_code." + std::string(language) + "' must be a string.");
    }
    starter.emplace(std::string(language), std::string(code.as_string()));
  }
  return starter;
}

}  // namespace

core::Result<problem::ProblemContent> decode_problem(std::string_view body) {
  auto object = core::json::parse_object(body);
  if (!object) return core::Unexpected(object.error());
  auto title = core::json::required_string(*object, "title");
  if (!title) return core::Unexpected(title.error());
  auto statement = core::json::optional_string(*object, "statement");
  if (!statement) return core::Unexpected(statement.error());
  auto starter = decode_starter_code(*object);
  if (!starter) return core::Unexpected(starter.error());
  if (!object->contains("tests")) {
    return core::fail(core::ErrorCode::invalid_argument, "Field 'tests' is required.");
  }
  auto tests = decode_tests(*object, TestSource::problem);
  if (!tests) return core::Unexpected(tests.error());
  auto limits = decode_limits(*object);
  if (!limits) return core::Unexpected(limits.error());
  return problem::ProblemContent{.title = std::move(*title),
                                 .statement = statement->value_or(std::string()),
                                 .starter_code = std::move(*starter),
                                 .tests = std::move(tests->tests),
                                 .limits = *limits,
                                 .compare = tests->compare};
}

json::object encode_problem(const problem::Problem& problem, HiddenTests hidden_tests) {
  const problem::ProblemContent& content = problem.content;
  json::object starter;
  for (const auto& [language, code] : content.starter_code) {
    starter[language] = core::json::to_json_string_lossy(code);
  }
  const auto hidden = static_cast<std::size_t>(
      std::count_if(content.tests.begin(), content.tests.end(),
                    [](const core::TestCase& test) { return test.hidden; }));
  json::object body{{"id", problem.id},
                    {"title", core::json::to_json_string_lossy(content.title)},
                    {"statement", core::json::to_json_string_lossy(content.statement)},
                    {"starter_code", std::move(starter)},
                    {"limits", encode_limits(content.limits)},
                    {"visible_tests", content.tests.size() - hidden},
                    {"hidden_tests", hidden},
                    {"created_at", core::to_rfc3339(problem.created_at)},
                    {"updated_at", core::to_rfc3339(problem.updated_at)}};
  encode_tests(content.tests, content.compare, body, hidden_tests);
  return body;
}

json::object encode_problem_list(const std::vector<problem::ProblemSummary>& problems) {
  json::array list;
  for (const problem::ProblemSummary& summary : problems) {
    list.push_back({{"id", summary.id},
                    {"title", core::json::to_json_string_lossy(summary.title)},
                    {"visible_tests", summary.visible_tests},
                    {"hidden_tests", summary.hidden_tests},
                    {"updated_at", core::to_rfc3339(summary.updated_at)}});
  }
  return {{"problems", std::move(list)}};
}

}  // namespace ide::http
