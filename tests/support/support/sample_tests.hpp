// Test cases with every feature a store or codec must keep (binary stdin, names, per-test
// limits), and the check that a copy of them came back field for field.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/test_cases.hpp"

namespace ide::test {

/// Three tests: a named one with binary stdin and both limits, an unnamed one with only
/// wall_ms, and an empty hidden one.
inline std::vector<core::TestCase> sample_tests() {
  return {{.name = "binary \"quoted\" é",
           .stdin_data = std::string("\x00\xff\n", 3),
           .expected_stdout = std::string("\xfe\x00", 2),
           .cpu_ms = 1500,
           .wall_ms = 3000},
          {.name = "", .stdin_data = "2 3\n", .expected_stdout = "5\n", .wall_ms = 900},
          {.hidden = true}};
}

/// Every compare mode, each with an epsilon its JSON must keep exactly.
inline std::vector<core::Comparison> all_comparisons() {
  return {{.mode = core::CompareMode::exact, .epsilon = 0},
          {.mode = core::CompareMode::trim_trailing, .epsilon = 1e-6},
          {.mode = core::CompareMode::tokens, .epsilon = 1},
          {.mode = core::CompareMode::float_tokens, .epsilon = 1e-9},
          {.mode = core::CompareMode::float_tokens, .epsilon = 0.1}};
}

inline void check_same_tests(const std::vector<core::TestCase>& actual,
                             const std::vector<core::TestCase>& expected) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    INFO("tests[" << i << "]");
    CHECK(actual[i].name == expected[i].name);
    CHECK(actual[i].stdin_data == expected[i].stdin_data);
    CHECK(actual[i].expected_stdout == expected[i].expected_stdout);
    CHECK(actual[i].cpu_ms == expected[i].cpu_ms);
    CHECK(actual[i].wall_ms == expected[i].wall_ms);
    CHECK(actual[i].hidden == expected[i].hidden);
  }
}

}  // namespace ide::test
