// A TestOutcome as JSON, losing nothing: the form results.db keeps a result's tests in and the
// internal API sends them in. Byte strings (stdout, hint) are core::json::bytes_to_json's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "core/json.hpp"
#include "result/result_service.hpp"

namespace ide::result {

inline boost::json::object test_outcome_to_json(const TestOutcome& outcome) {
  boost::json::object json{{"name", outcome.name},
          {"verdict", to_string(outcome.verdict)},
          {"time_ms", outcome.time_ms},
          {"wall_ms", outcome.wall_ms},
          {"memory_kb", outcome.memory_kb},
          {"stdout", core::json::bytes_to_json(outcome.stdout_data)},
          {"stdout_truncated", outcome.stdout_truncated},
          {"hint", core::json::bytes_to_json(outcome.hint)}};
  if (outcome.hidden) json["hidden"] = true;
  return json;
}

/// The TestOutcome of test_outcome_to_json(). Throws (a std::exception) when `json` is not one:
/// a field missing or of the wrong type, a verdict no Verdict is named.
inline TestOutcome test_outcome_from_json(const boost::json::value& json) {
  const boost::json::object& object = json.as_object();
  const std::string_view verdict_name = object.at("verdict").as_string();
  const auto* verdict = std::find_if(kAllVerdicts.begin(), kAllVerdicts.end(),
                                     [&](Verdict v) { return to_string(v) == verdict_name; });
  if (verdict == kAllVerdicts.end()) {
    throw std::invalid_argument("unknown verdict '" + std::string(verdict_name) + "'");
  }
  const boost::json::value* hidden = object.if_contains("hidden");
  return {.name = std::string(object.at("name").as_string()),
          .verdict = *verdict,
          .time_ms = object.at("time_ms").to_number<std::int64_t>(),
          .wall_ms = object.at("wall_ms").to_number<std::int64_t>(),
          .memory_kb = object.at("memory_kb").to_number<std::int64_t>(),
          .stdout_data = core::json::bytes_from_json(object.at("stdout")),
          .stdout_truncated = object.at("stdout_truncated").as_bool(),
          .hint = core::json::bytes_from_json(object.at("hint")),
          .hidden = hidden != nullptr && hidden->as_bool()};
}

}  // namespace ide::result
