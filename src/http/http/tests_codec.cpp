#include "http/tests_codec.hpp"

#include <cmath>
#include <string>

#include <boost/json.hpp>

#include "core/json.hpp"
#include "http/codec.hpp"

namespace ide::http {

namespace json = boost::json;

namespace {

core::Unexpected bad(const std::string& path, std::string_view problem) {
  return core::fail(core::ErrorCode::invalid_argument,
                    "Field '" + path + "' " + std::string(problem) + ".");
}

core::Result<std::optional<std::int64_t>> limit_field(const json::object& test,
                                                      std::string_view name,
                                                      const std::string& path) {
  const json::value* value = test.if_contains(name);
  if (value == nullptr || value->is_null()) return std::optional<std::int64_t>();
  if (!value->is_int64()) return bad(path + "." + std::string(name), "must be an integer");
  return std::optional<std::int64_t>(value->as_int64());
}

core::Result<std::string> text_field(const json::object& test, std::string_view name,
                                     const std::string& path, bool required) {
  const json::value* value = test.if_contains(name);
  if (value == nullptr || value->is_null()) {
    if (required) return bad(path + "." + std::string(name), "is required");
    return std::string();
  }
  if (!value->is_string()) return bad(path + "." + std::string(name), "must be a string");
  return std::string(value->as_string());
}

core::Result<core::TestCase> decode_test(const json::value& value, const std::string& path) {
  if (!value.is_object()) return bad(path, "must be an object");
  const json::object& test = value.as_object();
  auto name = text_field(test, "name", path, false);
  if (!name) return core::Unexpected(name.error());
  auto stdin_data = text_field(test, "stdin", path, false);
  if (!stdin_data) return core::Unexpected(stdin_data.error());
  auto expected = text_field(test, "expected_stdout", path, true);
  if (!expected) return core::Unexpected(expected.error());
  auto cpu_ms = limit_field(test, "cpu_ms", path);
  if (!cpu_ms) return core::Unexpected(cpu_ms.error());
  auto wall_ms = limit_field(test, "wall_ms", path);
  if (!wall_ms) return core::Unexpected(wall_ms.error());
  return core::TestCase{.name = std::move(*name),
                        .stdin_data = std::move(*stdin_data),
                        .expected_stdout = std::move(*expected),
                        .cpu_ms = *cpu_ms,
                        .wall_ms = *wall_ms};
}

core::Result<core::Comparison> decode_compare(const json::value* value) {
  core::Comparison compare;
  if (value == nullptr || value->is_null()) return compare;
  const json::value* mode = value;
  if (const json::object* object = value->if_object()) {
    mode = object->if_contains("mode");
    if (const json::value* epsilon = object->if_contains("epsilon"); epsilon != nullptr) {
      if (!epsilon->is_number() || !std::isfinite(epsilon->to_number<double>())) {
        return bad("compare.epsilon", "must be a number");
      }
      compare.epsilon = epsilon->to_number<double>();
    }
  }
  const auto named = mode != nullptr && mode->is_string()
                         ? core::compare_mode_from(mode->as_string())
                         : std::nullopt;
  if (!named) return bad("compare", "must be exact, trim_trailing, tokens or float");
  compare.mode = *named;
  return compare;
}

json::string verdict_text(result::Verdict verdict) {
  return verdict == result::Verdict::ok ? "accepted" : json::string(verdict_name(verdict));
}

}  // namespace

core::Result<DecodedTests> decode_tests(const json::object& body) {
  DecodedTests decoded;
  if (const json::value* tests = body.if_contains("tests"); tests != nullptr && !tests->is_null()) {
    if (!tests->is_array()) return bad("tests", "must be an array");
    for (std::size_t i = 0; i < tests->as_array().size(); ++i) {
      auto test = decode_test(tests->as_array()[i], "tests[" + std::to_string(i) + "]");
      if (!test) return core::Unexpected(test.error());
      decoded.tests.push_back(std::move(*test));
    }
  }
  auto compare = decode_compare(body.if_contains("compare"));
  if (!compare) return core::Unexpected(compare.error());
  decoded.compare = *compare;
  return decoded;
}

void encode_tests(const std::vector<core::TestCase>& tests, const core::Comparison& compare,
                  json::object& body) {
  if (tests.empty()) return;
  json::array list;
  for (const core::TestCase& test : tests) {
    json::object each{{"name", core::json::to_json_string_lossy(test.name)}};
    if (test.hidden) {
      each["hidden"] = true;
    } else {
      each["stdin"] = core::json::to_json_string_lossy(test.stdin_data);
      each["expected_stdout"] = core::json::to_json_string_lossy(test.expected_stdout);
    }
    if (test.cpu_ms) each["cpu_ms"] = *test.cpu_ms;
    if (test.wall_ms) each["wall_ms"] = *test.wall_ms;
    list.push_back(std::move(each));
  }
  body["tests"] = std::move(list);
  body["compare"] = core::comparison_to_json(compare);
}

void encode_test_outcomes(const result::RunResult& run, bool base64, json::object& body) {
  if (run.tests.empty()) return;
  json::array list;
  std::size_t passed = 0;
  for (const result::TestOutcome& test : run.tests) {
    if (test.verdict == result::Verdict::ok) ++passed;
    json::object each{{"name", core::json::to_json_string_lossy(test.name)},
                      {"verdict", verdict_text(test.verdict)},
                      {"time_ms", test.time_ms},
                      {"wall_ms", test.wall_ms},
                      {"memory_kb", test.memory_kb},
                      {"stdout", base64 ? json::string(base64_encode(test.stdout_data))
                                        : json::string(test.stdout_data)},
                      {"stdout_truncated", test.stdout_truncated},
                      {"hint", core::json::to_json_string_lossy(test.hint)}};
    if (test.hidden) each["hidden"] = true;
    list.push_back(std::move(each));
  }
  body["tests"] = std::move(list);
  body["summary"] = {{"passed", passed}, {"total", run.tests.size()}};
}

}  // namespace ide::http
