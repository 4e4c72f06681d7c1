#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace ide::http {

RateLimiter::RateLimiter(double per_minute, std::int64_t burst)
    : per_second_(per_minute > 0 ? per_minute / 60.0 : 0),
      burst_(static_cast<double>(std::max<std::int64_t>(burst, 1))) {}

std::optional<std::int64_t> RateLimiter::acquire(std::string_view key, Clock::time_point now) {
  if (!enabled()) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= prune_at_) prune_locked(now);
  auto [it, inserted] = buckets_.try_emplace(std::string(key), Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!inserted && now > bucket.updated) {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  const double wait = (1 - bucket.tokens) / per_second_;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait)));
}

void RateLimiter::prune_locked(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    if (it->second.tokens + elapsed * per_second_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  // Many clients genuinely limited at once: let the table grow rather than prune on every call.
  prune_at_ = std::max<std::size_t>(1024, buckets_.size() * 2);
}

}  // namespace ide::http
