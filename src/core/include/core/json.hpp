// Boost.JSON helpers: typed field access that reports which field is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "core/error.hpp"

namespace ide::core::json {

/// Parses `text` into a JSON object; invalid_argument naming the problem otherwise
/// (not JSON, invalid UTF-8, not an object).
Result<boost::json::object> parse_object(std::string_view text);

/// The string field `name`: invalid_argument if missing or not a string.
Result<std::string> required_string(const boost::json::object& object, std::string_view name);
/// The string field `name` if present; invalid_argument if present but not a string or null.
Result<std::optional<std::string>> optional_string(const boost::json::object& object,
                                                   std::string_view name);
/// The array of strings `name`, empty when absent or null; invalid_argument naming the field if
/// it is anything else.
Result<std::vector<std::string>> optional_string_array(const boost::json::object& object,
                                                       std::string_view name);
/// The integer field `name` if present; invalid_argument if present but not an integer.
Result<std::optional<std::int64_t>> optional_int(const boost::json::object& object,
                                                 std::string_view name);

/// `s` as a JSON string value. Invalid UTF-8 bytes are replaced by U+FFFD so the document stays
/// valid; use for program output, which may be any bytes.
boost::json::string to_json_string_lossy(std::string_view s);

/// A byte string as JSON, losing nothing: the string itself when it is valid UTF-8 (then the
/// JSON is never longer than what a client sent for it), else {"base64": "..."}. For the
/// internal API and for stored JSON.
boost::json::value bytes_to_json(std::string_view bytes);
/// The bytes of bytes_to_json(). Throws std::invalid_argument when `json` is neither form.
std::string bytes_from_json(const boost::json::value& json);

/// True if `s` is entirely valid UTF-8.
bool is_valid_utf8(std::string_view s);

/// Serialises `value` compactly.
std::string serialize(const boost::json::value& value);

}  // namespace ide::core::json
