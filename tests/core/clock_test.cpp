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
