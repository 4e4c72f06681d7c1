#include "stored_problem.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <utility>

#include <boost/json.hpp>

#include "core/json.hpp"

namespace ide::problem {

namespace {

namespace json = boost::json;

// The limit fields of a document, each written only when set.
constexpr std::pair<const char*, std::optional<std::int64_t> core::RequestedLimits::*>
    kLimitFields[] = {{"cpu_ms", &core::RequestedLimits::cpu_ms},
                      {"wall_ms", &core::RequestedLimits::wall_ms},
                      {"memory_kb", &core::RequestedLimits::memory_kb}};

json::object limits_to_json(const core::RequestedLimits& limits) {
  json::object object;
  for (const auto& [key, field] : kLimitFields) {
    if (limits.*field) object[key] = *(limits.*field);
  }
  return object;
}

core::RequestedLimits limits_from_json(const json::object& object) {
  core::RequestedLimits limits;
  for (const auto& [key, field] : kLimitFields) {
    if (const json::value* value = object.if_contains(key)) limits.*field = value->as_int64();
  }
  return limits;
}

// An array rather than an object: a language id is bytes, and an object's keys are not.
json::array starter_code_to_json(const std::map<std::string, std::string>& starter_code) {
  json::array array;
  for (const auto& [language, code] : starter_code) {
    array.emplace_back(json::object{{"language", core::json::bytes_to_json(language)},
                                    {"code", core::json::bytes_to_json(code)}});
  }
  return array;
}

std::map<std::string, std::string> starter_code_from_json(const json::array& array) {
  std::map<std::string, std::string> starter_code;
  for (const json::value& entry : array) {
    const json::object& object = entry.as_object();
    starter_code.emplace(core::json::bytes_from_json(object.at("language")),
                         core::json::bytes_from_json(object.at("code")));
  }
  return starter_code;
}

ProblemContent content_from_json(const json::object& document) {
  ProblemContent content;
  content.statement = core::json::bytes_from_json(document.at("statement"));
  content.starter_code = starter_code_from_json(document.at("starter_code").as_array());
  for (const json::value& test : document.at("tests").as_array()) {
    content.tests.push_back(core::test_case_from_json(test));
  }
  content.limits = limits_from_json(document.at("limits").as_object());
  content.compare = core::comparison_from_json(document.at("compare"));
  return content;
}

}  // namespace

std::string encode_stored_problem(const ProblemContent& content) {
  json::array tests;
  for (const core::TestCase& test : content.tests)
    tests.emplace_back(core::test_case_to_json(test));
  const json::object document{{"statement", core::json::bytes_to_json(content.statement)},
                              {"starter_code", starter_code_to_json(content.starter_code)},
                              {"tests", std::move(tests)},
                              {"limits", limits_to_json(content.limits)},
                              {"compare", core::comparison_to_json(content.compare)}};
  return json::serialize(document);
}

ProblemContent decode_stored_problem(std::string_view document) {
  boost::system::error_code ec;
  const json::value value = json::parse(document, ec);
  if (ec || !value.is_object()) throw std::runtime_error("a stored problem is not a JSON object");
  try {
    return content_from_json(value.as_object());
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("a stored problem is malformed: ") + e.what());
  }
}

StoredContent::StoredContent(const ProblemContent& content)
    : hidden_tests(std::count_if(content.tests.begin(), content.tests.end(),
                                 [](const core::TestCase& test) { return test.hidden; })),
      document(encode_stored_problem(content)) {
  visible_tests = static_cast<std::int64_t>(content.tests.size()) - hidden_tests;
}

}  // namespace ide::problem
