#include "http/result_cache.hpp"

namespace ide::http {

std::string ResultCache::key(std::string_view id, bool base64) {
  std::string key(id);
  key += base64 ? "\nbase64" : "\ntext";  // ids never hold a newline
  return key;
}

std::optional<CachedBody> ResultCache::find(std::string_view id, bool base64) {
  if (max_bytes_ == 0) return std::nullopt;
  const std::lock_guard lock(mutex_);
  auto it = index_.find(key(id, base64));
  if (it == index_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

std::uint64_t ResultCache::generation() const {
  const std::lock_guard lock(mutex_);
  return generation_;
}

bool ResultCache::put(std::string_view id, bool base64, CachedBody entry,
                      std::uint64_t generation) {
  const std::size_t size = entry.body->size();
  if (size > max_bytes_ || max_bytes_ == 0) return false;
  const std::lock_guard lock(mutex_);
  if (generation != generation_) return false;
  std::string k = key(id, base64);
  erase(k);
  while (bytes_ + size > max_bytes_) erase(order_.back().first);
  order_.emplace_front(k, std::move(entry));
  index_.emplace(std::move(k), order_.begin());
  bytes_ += size;
  return true;
}

void ResultCache::forget(const std::vector<std::string>& ids) {
  const std::lock_guard lock(mutex_);
  ++generation_;
  for (const auto& id : ids) {
    erase(key(id, false));
    erase(key(id, true));
  }
}

std::size_t ResultCache::bytes() const {
  const std::lock_guard lock(mutex_);
  return bytes_;
}

void ResultCache::erase(const std::string& k) {
  auto it = index_.find(k);
  if (it == index_.end()) return;
  bytes_ -= it->second->second.body->size();
  order_.erase(it->second);
  index_.erase(it);
}

}  // namespace ide::http
