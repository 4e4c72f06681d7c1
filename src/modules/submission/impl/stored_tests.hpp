// How both stores keep a submission's test cases and comparison: one JSON document,
// {"compare": comparison_to_json, "cases": [test_case_to_json]} (core/test_cases.hpp), NULL
// when there are no tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/test_cases.hpp"

namespace ide::submission {

struct StoredTests {
  std::vector<core::TestCase> tests;
  core::Comparison compare;
};

/// The column value for `tests`: nullopt (NULL) when there are no tests.
std::optional<std::string> encode_stored_tests(const std::vector<core::TestCase>& tests,
                                               const core::Comparison& compare);

/// Back from the column; NULL is no tests and the default comparison. Throws
/// std::runtime_error on a corrupt value.
StoredTests decode_stored_tests(const std::optional<std::string_view>& column);

}  // namespace ide::submission
