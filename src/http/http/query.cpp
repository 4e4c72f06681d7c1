#include "http/query.hpp"

#include <charconv>

#include <fmt/format.h>

namespace ide::http {

core::Result<std::int64_t> int_param(const Request& request, std::string_view name,
                                     std::int64_t min, std::int64_t max, std::int64_t absent) {
  const auto text = request.query_param(name);
  if (!text) return absent;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("Query parameter '{}' must be an integer from {} to {}.", name,
                                  min, max));
  }
  return value;
}

core::Result<std::chrono::milliseconds> wait_ms_param(const Request& request) {
  auto value = int_param(request, "wait_ms", 0, kMaxWaitMs, 0);
  if (!value) return core::Unexpected(value.error());
  return std::chrono::milliseconds(*value);
}

core::Result<bool> bool_param(const Request& request, std::string_view name) {
  const auto text = request.query_param(name);
  if (!text) return false;
  if (*text == "true" || *text == "1") return true;
  if (*text == "false" || *text == "0") return false;
  return core::fail(core::ErrorCode::invalid_argument,
                    "Query parameter '" + std::string(name) + "' must be true or false.");
}

core::Result<bool> base64_param(const Request& request) { return bool_param(request, "base64"); }

}  // namespace ide::http
