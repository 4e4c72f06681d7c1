#include "http/query.hpp"

#include <charconv>

namespace ide::http {

core::Result<std::chrono::milliseconds> wait_ms_param(const Request& request) {
  const auto text = request.query_param("wait_ms");
  if (!text) return std::chrono::milliseconds(0);
  std::int64_t value = -1;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() || value < 0 ||
      value > kMaxWaitMs) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "Query parameter 'wait_ms' must be an integer from 0 to 30000.");
  }
  return std::chrono::milliseconds(value);
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
