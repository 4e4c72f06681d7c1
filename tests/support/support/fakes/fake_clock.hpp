// A core::Clock whose time the test sets: code under test reads now(), the test moves it.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/clock.hpp"

namespace ide::test {

class FakeClock final : public core::Clock {
 public:
  /// Starts at `start` (by default 2026-01-01T00:00:00Z, a fixed and readable instant).
  explicit FakeClock(core::TimePoint start = core::from_unix_ms(1'767'225'600'000))
      : now_ms_(core::to_unix_ms(start)) {}

  core::TimePoint now() const override { return core::from_unix_ms(now_ms_.load()); }

  void set(core::TimePoint t) { now_ms_.store(core::to_unix_ms(t)); }
  void advance(std::chrono::milliseconds by) { now_ms_.fetch_add(by.count()); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace ide::test
