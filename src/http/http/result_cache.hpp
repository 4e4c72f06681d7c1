// Encoded bodies of finished results, kept in memory: a done result never changes, so its JSON
// (per encoding) is built once and then served as is, shared by every response that sends it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ide::http {

/// One cached answer: the body, shared and immutable, and the ETag that names it.
struct CachedBody {
  std::shared_ptr<const std::string> body;
  std::string etag;
};

/// A least-recently-used cache bounded by the bytes of its bodies; thread-safe. A bound of 0
/// keeps nothing. Bodies larger than the bound are not kept.
class ResultCache {
 public:
  explicit ResultCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  ResultCache(const ResultCache&) = delete;
  ResultCache& operator=(const ResultCache&) = delete;

  std::optional<CachedBody> find(std::string_view id, bool base64);
  /// Counts the forget() calls. Read it before fetching what you will put().
  std::uint64_t generation() const;
  /// Keeps `entry` unless it alone is larger than the bound, or forget() ran since `generation`
  /// was read: the body may then be of a result purged after it was fetched. Whether it kept it.
  bool put(std::string_view id, bool base64, CachedBody entry, std::uint64_t generation);
  /// Drops both encodings of each id: for results that were purged.
  void forget(const std::vector<std::string>& ids);

  std::size_t bytes() const;
  std::size_t max_bytes() const { return max_bytes_; }

 private:
  using Order = std::list<std::pair<std::string, CachedBody>>;
  static std::string key(std::string_view id, bool base64);
  void erase(const std::string& key);  // under mutex_

  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  Order order_;  // most recently used first
  std::unordered_map<std::string, Order::iterator> index_;
  std::size_t bytes_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace ide::http
