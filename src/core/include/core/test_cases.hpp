// A submission's test cases: inputs with the stdout each must produce, and how a program's
// stdout is compared with the expected one. The submission module keeps them, the result module
// runs them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace ide::core {

struct TestCase {
  std::string name = {};  // "" when not named: then its number, from 1
  std::string stdin_data = {};
  std::string expected_stdout = {};
  // This test's own limits; unset: the submission's.
  std::optional<std::int64_t> cpu_ms = std::nullopt;
  std::optional<std::int64_t> wall_ms = std::nullopt;
  // A problem's hidden test: only its verdict and measurements are ever shown, never its stdin,
  // expected stdout, the program's output on it or a hint.
  bool hidden = false;
};

enum class CompareMode {
  exact,          // byte for byte
  trim_trailing,  // each line's trailing whitespace and the whole's surrounding one ignored
  tokens,         // the same whitespace-separated tokens
  float_tokens,   // tokens, numbers within epsilon of each other being equal
};

struct Comparison {
  CompareMode mode = CompareMode::trim_trailing;
  // float_tokens: |actual - expected| <= epsilon * max(1, |expected|), absolute or relative.
  double epsilon = 1e-6;
};

/// "exact", "trim_trailing", "tokens", "float".
std::string_view to_string(CompareMode mode);
std::optional<CompareMode> compare_mode_from(std::string_view name);

/// Whether `actual` is `expected` under `comparison`.
bool outputs_match(std::string_view actual, std::string_view expected,
                   const Comparison& comparison);

/// Where `actual` first departs from `expected` under `comparison`, in words for a student:
/// `line 2: expected "5", got "6"` or `token 3: expected "0.5", got end of output` (each side
/// cut to 60 bytes). "" when they match.
std::string difference_hint(std::string_view actual, std::string_view expected,
                            const Comparison& comparison);

/// `test` as JSON, losing nothing: {"name"? (when not empty), "stdin", "expected_stdout",
/// "cpu_ms"?, "wall_ms"?, "hidden"? (when true)}, byte strings as core::json::bytes_to_json.
/// The form the submission stores keep and the internal API sends.
boost::json::object test_case_to_json(const TestCase& test);
/// Back from test_case_to_json(). Throws std::exception when `json` is not one.
TestCase test_case_from_json(const boost::json::value& json);

/// {"mode", "epsilon"}: how stores, the internal API and the v1 API write a comparison.
boost::json::object comparison_to_json(const Comparison& comparison);
/// Back from comparison_to_json(). Throws std::exception when `json` is not one.
Comparison comparison_from_json(const boost::json::value& json);

}  // namespace ide::core
