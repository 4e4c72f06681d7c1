// Comparing a program's stdout with a test's expected one, in each mode, and the hint a student
// sees when they differ.
#include "core/test_cases.hpp"

#include <catch2/catch.hpp>

#include <boost/json.hpp>

using ide::core::CompareMode;
using ide::core::Comparison;
using ide::core::difference_hint;
using ide::core::outputs_match;

TEST_CASE("each compare mode accepts what it should and nothing more", "[core][tests]") {
  const Comparison exact{CompareMode::exact};
  const Comparison trim{CompareMode::trim_trailing};
  const Comparison tokens{CompareMode::tokens};
  const Comparison floats{CompareMode::float_tokens, 1e-3};

  CHECK(outputs_match("1 2\n", "1 2\n", exact));
  CHECK_FALSE(outputs_match("1 2", "1 2\n", exact));
  CHECK_FALSE(outputs_match("1 2 \n", "1 2\n", exact));

  CHECK(outputs_match("1 2  \r\n3\n\n\n", "1 2\n3", trim));
  CHECK(outputs_match("", " \n ", trim));
  CHECK(outputs_match("\n  x\n", "x", trim));
  CHECK_FALSE(outputs_match("1  2\n", "1 2\n", trim));  // inner spaces count
  CHECK_FALSE(outputs_match("1\n\n2", "1\n2", trim));   // so do blank lines inside

  CHECK(outputs_match("1  2\n\n3\t", "1 2 3", tokens));
  CHECK_FALSE(outputs_match("1 2", "1 2 3", tokens));
  CHECK_FALSE(outputs_match("1.0", "1", tokens));

  CHECK(outputs_match("3.1416 x 1000.4", "3.14159 x 1000", floats));  // relative for large
  CHECK(outputs_match("1e-4", "0", floats));                          // absolute near zero
  CHECK_FALSE(outputs_match("3.15", "3.14159", floats));
  CHECK_FALSE(outputs_match("y", "x", floats));
  CHECK_FALSE(outputs_match("nan", "nan0", floats));
  CHECK_FALSE(outputs_match("inf", "1e308", floats));
}

TEST_CASE("the hint names the first unit that differs, quoted and cut", "[core][tests]") {
  const Comparison trim{CompareMode::trim_trailing};
  CHECK(difference_hint("1\n2\n", "1\n2", trim).empty());
  CHECK(difference_hint("1\n5\n", "1\n6\n", trim) == R"(line 2: expected "6", got "5")");
  CHECK(difference_hint("1\n", "1\n2\n", trim) == "line 2: expected \"2\", got end of output");
  CHECK(difference_hint("1\n2\n", "1\n", trim) == "line 2: expected end of output, got \"2\"");
  CHECK(difference_hint("1", "1\n", {CompareMode::exact}) ==
        "line 2: expected \"\", got end of output");
  CHECK(difference_hint("a \"q\"\t\x01", "b", {CompareMode::exact}) ==
        R"(line 1: expected "b", got "a \"q\"\x09\x01")");
  CHECK(difference_hint("1 2 4", "1 2 3", {CompareMode::tokens}) ==
        R"(token 3: expected "3", got "4")");
  CHECK(difference_hint("0.5", "0.25", {CompareMode::float_tokens, 1e-6}) ==
        R"(token 1: expected "0.25", got "0.5")");
  const std::string long_line(100, 'x');
  CHECK(difference_hint(long_line, "y", trim) ==
        "line 1: expected \"y\", got \"" + std::string(60, 'x') + "...\"");
}

TEST_CASE("compare modes have names", "[core][tests]") {
  for (CompareMode mode : {CompareMode::exact, CompareMode::trim_trailing, CompareMode::tokens,
                           CompareMode::float_tokens}) {
    CHECK(ide::core::compare_mode_from(ide::core::to_string(mode)) == mode);
  }
  CHECK(ide::core::to_string(CompareMode::float_tokens) == "float");
  CHECK_FALSE(ide::core::compare_mode_from("fuzzy"));
}

TEST_CASE("a test case and a comparison cross JSON losing nothing", "[core][tests]") {
  const ide::core::TestCase test{.name = "",
                                 .stdin_data = std::string("\0\xff", 2),
                                 .expected_stdout = "ok\n",
                                 .cpu_ms = 500,
                                 .wall_ms = std::nullopt};
  const boost::json::object json = ide::core::test_case_to_json(test);
  CHECK_FALSE(json.contains("name"));
  CHECK_FALSE(json.contains("wall_ms"));
  const auto back =
      ide::core::test_case_from_json(boost::json::parse(boost::json::serialize(json)));
  CHECK(back.name.empty());
  CHECK(back.stdin_data == test.stdin_data);
  CHECK(back.expected_stdout == "ok\n");
  CHECK(back.cpu_ms == 500);
  CHECK_FALSE(back.wall_ms);
  const Comparison floats{CompareMode::float_tokens, 0.25};
  const Comparison again = ide::core::comparison_from_json(ide::core::comparison_to_json(floats));
  CHECK(again.mode == CompareMode::float_tokens);
  CHECK(again.epsilon == 0.25);
  CHECK_THROWS(ide::core::comparison_from_json(boost::json::parse(R"({"mode":"fuzzy"})")));
}
