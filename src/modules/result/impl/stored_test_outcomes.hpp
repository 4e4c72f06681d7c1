// How both result stores keep a result's test outcomes: one column, NULL when it has none, else
// a JSON array whose byte strings (stdout, hint) are core::json::bytes_to_json's lossless form.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result/result_service.hpp"

namespace ide::result {

/// The column's value for `tests`: none when there are none.
std::optional<std::string> encode_test_outcomes(const std::vector<TestOutcome>& tests);

/// The outcomes of an encode_test_outcomes() value; none for a NULL column. Throws
/// std::runtime_error when `stored` is not such a value, as other corrupt columns do.
std::vector<TestOutcome> decode_test_outcomes(std::optional<std::string_view> stored);

}  // namespace ide::result
