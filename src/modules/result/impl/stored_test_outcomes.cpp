#include "stored_test_outcomes.hpp"

#include <exception>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/json.hpp"
#include "result/test_outcome_json.hpp"

namespace ide::result {

std::optional<std::string> encode_test_outcomes(const std::vector<TestOutcome>& tests) {
  if (tests.empty()) return std::nullopt;
  boost::json::array array;
  array.reserve(tests.size());
  for (const TestOutcome& outcome : tests) array.emplace_back(test_outcome_to_json(outcome));
  return core::json::serialize(array);
}

std::vector<TestOutcome> decode_test_outcomes(std::optional<std::string_view> stored) {
  std::vector<TestOutcome> tests;
  if (!stored) return tests;
  try {
    const boost::json::value json = boost::json::parse(*stored);
    for (const boost::json::value& outcome : json.as_array()) {
      tests.push_back(test_outcome_from_json(outcome));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("results: corrupt test outcomes ({})", e.what()));
  }
  return tests;
}

}  // namespace ide::result
