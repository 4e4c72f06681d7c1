// How much wider the tests' time limits are on this machine: IDE_TEST_TIME_SCALE (default 1).
// The cgroup v2 guest (scripts/guest-test.sh) runs on one emulated CPU and sets it. Only limits
// scale, never what a test asserts about them.
#pragma once

#include <cstdint>
#include <cstdlib>

namespace ide::test {

inline std::int64_t time_scale() {
  static const std::int64_t scale = [] {
    const char* text = std::getenv("IDE_TEST_TIME_SCALE");
    const long value = text == nullptr ? 1 : std::strtol(text, nullptr, 10);
    return value >= 1 ? std::int64_t{value} : std::int64_t{1};
  }();
  return scale;
}

}  // namespace ide::test
