// How both stores keep a problem's content: one JSON document, problem::content_to_json's (the
// form the internal API sends too), every byte string as core::json::bytes_to_json, so that any
// bytes come back exact.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "problem/problem_service.hpp"

namespace ide::problem {

/// The document of `content` (its title is in a column too, for list()).
std::string encode_stored_problem(const ProblemContent& content);

/// The content the document `document` holds. Throws std::runtime_error on a corrupt document.
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
