// Time: one injectable clock, so tests decide what "now" is, and one text format for timestamps.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ide::core {

using TimePoint = std::chrono::system_clock::time_point;

/// Source of the current time. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

/// The wall clock.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

/// Milliseconds since the Unix epoch: how timestamps are stored.
std::int64_t to_unix_ms(TimePoint t);
TimePoint from_unix_ms(std::int64_t ms);

/// RFC 3339 in UTC with milliseconds, e.g. "2026-11-24T16:20:45.123Z": how timestamps are shown.
std::string to_rfc3339(TimePoint t);

/// The years from_rfc3339() accepts: those a TimePoint can hold, with a day to spare.
inline constexpr int kMinRfc3339Year = 1970;
inline constexpr int kMaxRfc3339Year = 2261;

/// The time RFC 3339 `text` names ("2027-01-31T23:59:59Z", "2027-01-31T12:00:00.5+02:00"),
/// to the millisecond; nullopt when it is not one (a date alone included) or its year is
/// outside kMinRfc3339Year..kMaxRfc3339Year.
std::optional<TimePoint> from_rfc3339(std::string_view text);

}  // namespace ide::core
