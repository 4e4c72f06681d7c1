// Query parameters shared by the result and share routes, checked strictly (400 on nonsense).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "http/message.hpp"

namespace ide::http {

inline constexpr std::int64_t kMaxWaitMs = 30'000;

/// ?`name`=N, an integer from `min` to `max`; `absent` when not given.
/// Errors: invalid_argument naming it and its bounds.
core::Result<std::int64_t> int_param(const Request& request, std::string_view name,
                                     std::int64_t min, std::int64_t max, std::int64_t absent);

/// ?wait_ms=N, 0 <= N <= 30000; 0 when absent. Errors: invalid_argument.
core::Result<std::chrono::milliseconds> wait_ms_param(const Request& request);

/// ?`name`=true|false (also 1|0); false when absent. Errors: invalid_argument naming it.
core::Result<bool> bool_param(const Request& request, std::string_view name);

/// ?base64=true|false (also 1|0); false when absent. Errors: invalid_argument.
core::Result<bool> base64_param(const Request& request);

}  // namespace ide::http
