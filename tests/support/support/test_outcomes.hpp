// Test outcomes (result::TestOutcome) for the suites that store or send them, and the check
// that they came back unchanged: TestOutcome has no operator==.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "result/result_service.hpp"

namespace ide::test {

/// Four outcomes of different verdicts, the last of a hidden test; stdout and hint hold bytes
/// that are not UTF-8.
inline std::vector<result::TestOutcome> sample_test_outcomes() {
  using result::Verdict;
  return {
      {.name = "adds",
       .verdict = Verdict::ok,
       .time_ms = 3,
       .wall_ms = 4,
       .memory_kb = 900,
       .stdout_data = "3\n",
       .stdout_truncated = false,
       .hint = ""},
      {.name = "binary",
       .verdict = Verdict::wrong_answer,
       .time_ms = 5,
       .wall_ms = 6,
       .memory_kb = 1000,
       .stdout_data = std::string("\x00\xff", 2),
       .stdout_truncated = false,
       .hint = std::string("line 1: got \"\x00\xff\"", 16)},
      {.name = "3",
       .verdict = Verdict::time_limit_exceeded,
       .time_ms = 2001,
       .wall_ms = 2500,
       .memory_kb = 1100,
       .stdout_data = std::string(result::kTestStdoutBytes, 'y'),
       .stdout_truncated = true,
       .hint = "got more than the expected 4096 bytes"},
      {.name = "secret",
       .verdict = Verdict::runtime_error,
       .time_ms = 7,
       .wall_ms = 8,
       .memory_kb = 1200,
       .stdout_data = "",
       .stdout_truncated = false,
       .hint = "",
       .hidden = true},
  };
}

inline void check_same_outcomes(const std::vector<result::TestOutcome>& back,
                                const std::vector<result::TestOutcome>& sent) {
  REQUIRE(back.size() == sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    INFO("test " << i);
    CHECK(back[i].name == sent[i].name);
    CHECK(back[i].verdict == sent[i].verdict);
    CHECK(back[i].time_ms == sent[i].time_ms);
    CHECK(back[i].wall_ms == sent[i].wall_ms);
    CHECK(back[i].memory_kb == sent[i].memory_kb);
    CHECK(back[i].stdout_data == sent[i].stdout_data);
    CHECK(back[i].stdout_truncated == sent[i].stdout_truncated);
    CHECK(back[i].hint == sent[i].hint);
    CHECK(back[i].hidden == sent[i].hidden);
  }
}

}  // namespace ide::test
