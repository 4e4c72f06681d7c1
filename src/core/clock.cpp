#include "core/clock.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace ide::core {

std::int64_t to_unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_unix_ms(std::int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

std::string to_rfc3339(TimePoint t) {
  const std::int64_t ms = to_unix_ms(t);
  const std::int64_t seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const auto whole = std::chrono::sys_seconds(std::chrono::seconds(seconds));
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", whole, ms - seconds * 1000);
}

}  // namespace ide::core
