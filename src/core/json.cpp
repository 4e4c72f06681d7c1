#include "core/json.hpp"

#include <stdexcept>

#include <boost/beast/core/detail/base64.hpp>
#include <fmt/format.h>

namespace ide::core::json {

namespace base64 = boost::beast::detail::base64;

namespace {

/// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;   // no overlong forms
    if (c == 0xED) high = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

std::string type_name(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64: return "an integer";
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
  }
  return "unknown";
}

}  // namespace

Result<boost::json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec) {
    return fail(ErrorCode::invalid_argument,
                fmt::format("The request body is not valid JSON: {}.", ec.message()));
  }
  if (!value.is_object()) {
    return fail(ErrorCode::invalid_argument,
                fmt::format("The request body must be a JSON object, not {}.", type_name(value)));
  }
  return std::move(value.as_object());
}

Result<std::string> required_string(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr) {
    return fail(ErrorCode::invalid_argument, fmt::format("Field '{}' is required.", name));
  }
  if (!value->is_string()) {
    return fail(ErrorCode::invalid_argument,
                fmt::format("Field '{}' must be a string, not {}.", name, type_name(*value)));
  }
  return std::string(value->get_string());
}

Result<std::optional<std::string>> optional_string(const boost::json::object& object,
                                                   std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) {
    return fail(ErrorCode::invalid_argument,
                fmt::format("Field '{}' must be a string, not {}.", name, type_name(*value)));
  }
  return std::optional<std::string>(std::string(value->get_string()));
}

Result<std::vector<std::string>> optional_string_array(const boost::json::object& object,
                                                       std::string_view name) {
  std::vector<std::string> strings;
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr || value->is_null()) return strings;
  const auto not_strings = [name] {
    return fail(ErrorCode::invalid_argument,
                fmt::format("Field '{}' must be an array of strings.", name));
  };
  if (!value->is_array()) return not_strings();
  for (const boost::json::value& item : value->get_array()) {
    if (!item.is_string()) return not_strings();
    strings.emplace_back(item.get_string());
  }
  return strings;
}

Result<std::optional<std::int64_t>> optional_int(const boost::json::object& object,
                                                 std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr || value->is_null()) return std::optional<std::int64_t>();
  if (value->is_int64()) return std::optional<std::int64_t>(value->get_int64());
  if (value->is_uint64()) {
    return fail(ErrorCode::invalid_argument, fmt::format("Field '{}' is too large.", name));
  }
  return fail(ErrorCode::invalid_argument,
              fmt::format("Field '{}' must be an integer, not {}.", name, type_name(*value)));
}

boost::json::string to_json_string_lossy(std::string_view s) {
  boost::json::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t length = utf8_sequence_length(s, i);
    if (length == 0) {
      out.append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(s.substr(i, length));
      i += length;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t length = utf8_sequence_length(s, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string serialize(const boost::json::value& value) { return boost::json::serialize(value); }

boost::json::value bytes_to_json(std::string_view bytes) {
  if (is_valid_utf8(bytes)) return boost::json::string(bytes);
  std::string encoded(base64::encoded_size(bytes.size()), '\0');
  encoded.resize(base64::encode(encoded.data(), bytes.data(), bytes.size()));
  return boost::json::object{{"base64", std::move(encoded)}};
}

std::string bytes_from_json(const boost::json::value& json) {
  if (json.is_string()) return std::string(json.get_string());
  const boost::json::string& encoded = json.as_object().at("base64").as_string();
  std::string bytes(base64::decoded_size(encoded.size()), '\0');
  const auto [written, read] = base64::decode(bytes.data(), encoded.data(), encoded.size());
  // Decoding stops at the padding: what is left must be padding alone.
  const std::string_view rest = std::string_view(encoded).substr(read);
  if (rest.size() > 2 || rest.find_first_not_of('=') != std::string_view::npos) {
    throw std::invalid_argument("invalid base64");
  }
  bytes.resize(written);
  return bytes;
}

}  // namespace ide::core::json
