// A ProblemContent as JSON, losing nothing: the document the problem stores keep and the form
// the internal API sends. Byte strings (statement, starter code, tests' data) are
// core::json::bytes_to_json's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "core/json.hpp"
#include "core/test_cases.hpp"
#include "problem/problem_service.hpp"

namespace ide::problem {

inline boost::json::object content_to_json(const ProblemContent& content) {
  boost::json::object starter;
  for (const auto& [language, code] : content.starter_code) {
    starter[language] = core::json::bytes_to_json(code);
  }
  boost::json::array tests;
  for (const core::TestCase& test : content.tests) tests.push_back(core::test_case_to_json(test));
  boost::json::object limits;
  if (content.limits.cpu_ms) limits["cpu_ms"] = *content.limits.cpu_ms;
  if (content.limits.wall_ms) limits["wall_ms"] = *content.limits.wall_ms;
  if (content.limits.memory_kb) limits["memory_kb"] = *content.limits.memory_kb;
  return {{"title", core::json::bytes_to_json(content.title)},
          {"statement", core::json::bytes_to_json(content.statement)},
          {"starter_code", std::move(starter)},
          {"tests", std::move(tests)},
          {"limits", std::move(limits)},
          {"compare", core::comparison_to_json(content.compare)}};
}

/// The ProblemContent of content_to_json(). Throws (a std::exception) when `json` is not one.
inline ProblemContent content_from_json(const boost::json::value& json) {
  const boost::json::object& object = json.as_object();
  const boost::json::object& limits = object.at("limits").as_object();
  const auto limit = [&limits](std::string_view key) -> std::optional<std::int64_t> {
    const boost::json::value* value = limits.if_contains(key);
    if (value == nullptr) return std::nullopt;
    return value->to_number<std::int64_t>();
  };
  ProblemContent content{.title = core::json::bytes_from_json(object.at("title")),
                         .statement = core::json::bytes_from_json(object.at("statement")),
                         .limits = {.cpu_ms = limit("cpu_ms"),
                                    .wall_ms = limit("wall_ms"),
                                    .memory_kb = limit("memory_kb")},
                         .compare = core::comparison_from_json(object.at("compare"))};
  for (const auto& [language, code] : object.at("starter_code").as_object()) {
    content.starter_code.emplace(std::string(language), core::json::bytes_from_json(code));
  }
  for (const boost::json::value& test : object.at("tests").as_array()) {
    content.tests.push_back(core::test_case_from_json(test));
  }
  return content;
}

}  // namespace ide::problem
