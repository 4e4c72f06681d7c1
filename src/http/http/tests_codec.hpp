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

/// Whose tests a body carries: a submission's, or a problem's, whose may be hidden.
enum class TestSource { submission, problem };

/// `tests` ([{name?, stdin?, expected_stdout, cpu_ms?, wall_ms?, hidden? (a problem's only)}],
/// absent: none) and `compare` ("exact" | "trim_trailing" | "tokens" | "float", or {"mode",
/// "epsilon"?}; absent: trim_trailing) of a submit or problem body. Errors: invalid_argument
/// naming the field by its path ("tests[2].expected_stdout").
core::Result<DecodedTests> decode_tests(const boost::json::object& body,
                                        TestSource source = TestSource::submission);

/// Whether a hidden test's stdin and expected stdout are shown (to an admin) or not.
enum class HiddenTests { redacted, shown };

/// Adds `tests` and `compare` to a submission's or problem's JSON `body` when it has tests. A
/// hidden test has `"hidden": true`; redacted, it shows only that, its name and its limits.
void encode_tests(const std::vector<core::TestCase>& tests, const core::Comparison& compare,
                  boost::json::object& body, HiddenTests hidden_tests = HiddenTests::redacted);

/// Adds `tests` ([{name, verdict, time_ms, wall_ms, memory_kb, stdout, stdout_truncated,
/// hint, hidden?}], verdict "accepted" for a passed test, a hidden one's stdout and hint "")
/// and `summary` ({passed, total}) to a done result's JSON `body` when the run has tests. Each
/// stdout is base64 when `base64`.
void encode_test_outcomes(const result::RunResult& run, bool base64, boost::json::object& body);

}  // namespace ide::http
