// A token bucket per client key (client_key(): the peer, or the client a trusted proxy named):
// `per_minute` tokens a minute, at most `burst` saved up. Guards POST /api/v1/submissions
// against one client flooding the queue.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ide::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// per_minute <= 0 turns the limit off.
  RateLimiter(double per_minute, std::int64_t burst);

  bool enabled() const { return per_second_ > 0; }

  /// Takes one token for `key` at `now`: nullopt when allowed, else how many whole seconds
  /// (at least 1) until a token is available. Thread-safe.
  std::optional<std::int64_t> acquire(std::string_view key, Clock::time_point now);

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  /// Forgets buckets that have refilled completely: they behave like new ones.
  void prune_locked(Clock::time_point now);

  double per_second_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::size_t prune_at_ = 1024;
};

}  // namespace ide::http
