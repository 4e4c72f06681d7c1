// How both stores keep a submission's args: one JSON array of strings, NULL when there are none.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ide::submission {

/// The column value for `args`: nullopt (NULL) when empty.
std::optional<std::string> encode_stored_args(const std::vector<std::string>& args);

/// Back from the column; NULL is no args. Throws std::runtime_error on a corrupt value.
std::vector<std::string> decode_stored_args(const std::optional<std::string_view>& column);

}  // namespace ide::submission
