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

namespace {

/// The number in the `count` digits at `text[at]`, or -1 when they are not all digits.
int digits_at(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

/// The milliseconds of a fraction ".d+" at text[at], advancing `at` past it.
int fraction_ms(std::string_view text, std::size_t& at) {
  if (at >= text.size() || text[at] != '.') return 0;
  int ms = 0;
  std::size_t digits = 0;
  for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++digits) {
    if (digits < 3) ms = ms * 10 + (text[at] - '0');
  }
  if (digits == 0) return -1;
  for (; digits < 3; ++digits) ms *= 10;
  return ms;
}

/// The offset from UTC "Z" or "+HH:MM" names, from text[at] to the end; nullopt when malformed.
std::optional<std::chrono::minutes> utc_offset(std::string_view text, std::size_t at) {
  if (at + 1 == text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    return std::chrono::minutes(0);
  }
  if (at + 6 != text.size() || (text[at] != '+' && text[at] != '-') || text[at + 3] != ':') {
    return std::nullopt;
  }
  const int hours = digits_at(text, at + 1, 2);
  const int minutes = digits_at(text, at + 4, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return std::nullopt;
  const std::chrono::minutes offset(hours * 60 + minutes);
  return text[at] == '-' ? -offset : offset;
}

}  // namespace

std::optional<TimePoint> from_rfc3339(std::string_view text) {
  using namespace std::chrono;
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const int fields[] = {digits_at(text, 0, 4),  digits_at(text, 5, 2),  digits_at(text, 8, 2),
                        digits_at(text, 11, 2), digits_at(text, 14, 2), digits_at(text, 17, 2)};
  for (int field : fields) {
    if (field < 0) return std::nullopt;
  }
  // A TimePoint counts nanoseconds in 64 bits: it reaches from 1678 to 2262 only.
  if (fields[0] < kMinRfc3339Year || fields[0] > kMaxRfc3339Year) return std::nullopt;
  const year_month_day date{year(fields[0]), month(static_cast<unsigned>(fields[1])),
                            day(static_cast<unsigned>(fields[2]))};
  if (!date.ok() || fields[3] > 23 || fields[4] > 59 || fields[5] > 60) return std::nullopt;
  std::size_t at = 19;
  const int ms = fraction_ms(text, at);
  const std::optional<minutes> offset = utc_offset(text, at);
  if (ms < 0 || !offset) return std::nullopt;
  const sys_time<milliseconds> local = sys_days(date) + hours(fields[3]) + minutes(fields[4]) +
                                       seconds(fields[5]) + milliseconds(ms);
  return time_point_cast<TimePoint::duration>(local - *offset);
}

std::string to_rfc3339(TimePoint t) {
  const std::int64_t ms = to_unix_ms(t);
  const std::int64_t seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const auto whole = std::chrono::sys_seconds(std::chrono::seconds(seconds));
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", whole, ms - seconds * 1000);
}

}  // namespace ide::core
