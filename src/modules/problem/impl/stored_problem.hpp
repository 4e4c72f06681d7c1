// How both stores keep a problem's content but its title: one JSON document,
// {"statement", "starter_code": [{"language", "code"}], "tests": [test_case_to_json],
// "limits": {"cpu_ms"?, "wall_ms"?, "memory_kb"?}, "compare": comparison_to_json}, every byte
// string as core::json::bytes_to_json (core/json.hpp), so that any bytes come back exact.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "problem/problem_service.hpp"

namespace ide::problem {

/// The document of `content` (its title is left out: the stores keep it in a column).
std::string encode_stored_problem(const ProblemContent& content);

/// The content the document `document` holds, with an empty title. Throws std::runtime_error on
/// a corrupt document.
ProblemContent decode_stored_problem(std::string_view document);

/// The columns a store writes for `content` beside its title: the document, and the counts of
/// visible and hidden tests, kept apart so that list() never parses a document.
struct StoredContent {
  explicit StoredContent(const ProblemContent& content);
  std::int64_t visible_tests = 0;
  std::int64_t hidden_tests = 0;
  std::string document;
};

}  // namespace ide::problem
