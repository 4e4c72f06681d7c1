#include "http/hourly_quota.hpp"

#include <algorithm>
#include <iterator>
#include <numeric>

namespace ide::http {

namespace {

constexpr std::int64_t kMinutesPerWindow = 60;
constexpr std::int64_t kSecondsPerMinute = 60;

std::int64_t seconds_since_epoch(HourlyQuota::Clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
}

}  // namespace

void HourlyQuota::drop_expired(Window& window, std::int64_t current_minute) {
  while (!window.empty() && window.front().index <= current_minute - kMinutesPerWindow) {
    window.pop_front();
  }
}

void HourlyQuota::prune_locked(std::int64_t current_minute) {
  if (windows_.size() < prune_at_) return;
  for (auto it = windows_.begin(); it != windows_.end();) {
    drop_expired(it->second, current_minute);
    it = it->second.empty() ? windows_.erase(it) : std::next(it);
  }
  // Pruning again only once the table doubled keeps the cost amortised constant per take().
  prune_at_ = std::max<std::size_t>(1024, windows_.size() * 2);
}

std::optional<std::int64_t> HourlyQuota::take(const std::string& key, std::int64_t per_hour,
                                              Clock::time_point now) {
  if (per_hour <= 0) return std::nullopt;
  const std::int64_t second = seconds_since_epoch(now);
  const std::int64_t minute = second / kSecondsPerMinute;
  std::lock_guard lock(mutex_);
  prune_locked(minute);
  Window& window = windows_[key];
  drop_expired(window, minute);
  const std::int64_t used = std::accumulate(
      window.begin(), window.end(), std::int64_t{0},
      [](std::int64_t sum, const Minute& bucket) { return sum + bucket.count; });
  if (used >= per_hour) {
    // One more fits once enough of the oldest minutes have left the window.
    std::int64_t freed = 0;
    for (const Minute& bucket : window) {
      freed += bucket.count;
      if (used - freed < per_hour) {
        const std::int64_t leaves_at = (bucket.index + kMinutesPerWindow) * kSecondsPerMinute;
        return std::max<std::int64_t>(1, leaves_at - second);
      }
    }
  }
  if (window.empty() || window.back().index != minute) window.push_back({minute, 0});
  ++window.back().count;
  return std::nullopt;
}

void HourlyQuota::give_back(const std::string& key, Clock::time_point now) {
  const std::int64_t minute = seconds_since_epoch(now) / kSecondsPerMinute;
  std::lock_guard lock(mutex_);
  auto found = windows_.find(key);
  if (found == windows_.end()) return;
  Window& window = found->second;
  if (window.empty() || window.back().index < minute - 1) return;
  if (--window.back().count == 0) window.pop_back();
}

}  // namespace ide::http
