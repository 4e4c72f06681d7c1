// A class token's submissions_per_hour (issue 12): how many submits a key made in the rolling
// hour before now, counted in one-minute buckets, so the memory per key is at most 60 counts.
// Counted per process: with several HTTP processes each allows the whole quota.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace ide::http {

class HourlyQuota {
 public:
  using Clock = std::chrono::steady_clock;

  /// Counts one submit of `key` at `now` unless it already made `per_hour` in the hour before:
  /// nullopt when counted, else how many whole seconds (at least 1) until one more fits.
  /// `per_hour` <= 0 is no limit (nothing is counted). Thread-safe.
  std::optional<std::int64_t> take(const std::string& key, std::int64_t per_hour,
                                   Clock::time_point now);

  /// Uncounts one submit of `key` that take() counted but that was not kept, made at `now` or
  /// in the minute before.
  void give_back(const std::string& key, Clock::time_point now);

 private:
  struct Minute {
    std::int64_t index = 0;  // minutes since the clock's epoch
    std::int64_t count = 0;
  };
  using Window = std::deque<Minute>;  // oldest first, only minutes within the last hour

  static void drop_expired(Window& window, std::int64_t current_minute);
  /// Forgets keys whose whole window has expired: they behave like new ones.
  void prune_locked(std::int64_t current_minute);

  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
  std::size_t prune_at_ = 1024;
};

}  // namespace ide::http
