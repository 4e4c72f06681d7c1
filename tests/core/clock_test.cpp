// Timestamps: unix milliseconds round-trip and RFC 3339 text.
#include "core/clock.hpp"

#include <catch2/catch.hpp>

using namespace ide::core;

TEST_CASE("unix ms round-trip and RFC 3339 formatting", "[core][clock]") {
  const TimePoint t = from_unix_ms(1'795'537'245'123);
  CHECK(to_unix_ms(t) == 1'795'537'245'123);
  CHECK(to_rfc3339(t) == "2026-11-24T16:20:45.123Z");
  CHECK(to_rfc3339(from_unix_ms(0)) == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("RFC 3339 text parses to the millisecond, with any offset", "[core][clock]") {
  const TimePoint t = from_unix_ms(1'795'537'245'123);
  CHECK(from_rfc3339("2026-11-24T16:20:45.123Z") == t);
  CHECK(from_rfc3339("2026-11-24t18:20:45.1234+02:00") == t);
  CHECK(from_rfc3339("2026-11-24T15:50:45.123-00:30") == t);
  CHECK(from_rfc3339("2026-11-24T16:20:45z") == from_unix_ms(1'795'537'245'000));
  CHECK(from_rfc3339(to_rfc3339(t)) == t);
  CHECK(from_rfc3339("2261-12-31T23:59:59Z").has_value());
  CHECK(from_rfc3339("1970-01-01T00:00:00Z") == from_unix_ms(0));
  for (const char* bad :
       {"", "2026-11-24", "2026-11-24T16:20:45", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-24T24:00:00Z", "2026-11-24T16:20:45.Z", "2026-11-24T16:20:45+2:00",
        "2026-11-24T16:20:45Zx", "x026-11-24T16:20:45Z",
        // Beyond what a TimePoint's 64 bits of nanoseconds hold (a fuzzer's find).
        "1049-01-31T23:59:59Z", "2262-04-12T00:00:00Z", "9999-12-31T23:59:59Z"}) {
    INFO(bad);
    CHECK_FALSE(from_rfc3339(bad).has_value());
  }
}
