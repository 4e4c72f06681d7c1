#include "core/limits.hpp"

#include <string_view>

#include <fmt/format.h>

namespace ide::core {

namespace {

Result<void> check_limit(const std::optional<std::int64_t>& value, std::string_view field,
                         std::int64_t max) {
  if (!value || (*value >= 1 && *value <= max)) return {};
  return fail(ErrorCode::invalid_limits,
              fmt::format("limits.{} must be between 1 and {}, got {}.", field, max, *value));
}

}  // namespace

Result<void> LimitSettings::check(const RequestedLimits& requested) const {
  if (auto ok = check_limit(requested.cpu_ms, "cpu_ms", max_cpu_ms); !ok) return ok;
  if (auto ok = check_limit(requested.wall_ms, "wall_ms", max_wall_ms); !ok) return ok;
  return check_limit(requested.memory_kb, "memory_kb", max_memory_kb);
}

}  // namespace ide::core
