// The JSON of a submission's test cases (issue 12): `tests` and `compare` in a submit, and the
// per-test table with its summary in a result.
#pragma once

#include <vector>

#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "core/test_cases.hpp"
#include "result/result_service.hpp"

namespace ide::http {

struct DecodedTests {
  std::vector<core::TestCase> tests;
  core::Comparison compare;
};

/// `tests` ([{name?, stdin?, expected_stdout, cpu_ms?, wall_ms?}], absent: none) and `compare`
/// ("exact" | "trim_trailing" | "tokens" | "float", or {"mode", "epsilon"?}; absent:
/// trim_trailing) of a submit body. Errors: invalid_argument naming the field by its path
/// ("tests[2].expected_stdout").
core::Result<DecodedTests> decode_tests(const boost::json::object& body);

/// Adds `tests` and `compare` to a submission's JSON `body` when it has tests. A hidden test
/// shows only its name, `"hidden": true` and its limits.
void encode_tests(const std::vector<core::TestCase>& tests, const core::Comparison& compare,
                  boost::json::object& body);

/// Adds `tests` ([{name, verdict, time_ms, wall_ms, memory_kb, stdout, stdout_truncated,
/// hint, hidden?}], verdict "accepted" for a passed test, a hidden one's stdout and hint "")
/// and `summary` ({passed, total}) to a done result's JSON `body` when the run has tests. Each
/// stdout is base64 when `base64`.
void encode_test_outcomes(const result::RunResult& run, bool base64, boost::json::object& body);

}  // namespace ide::http
