// An in-memory UrlService for tests: slugs "shr" + a counter, unrelated to the id; checks the
// submission exists through the SubmissionService it is given, like the real one. Thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "submission/submission_service.hpp"
#include "url/url_service.hpp"

namespace ide::test {

class InMemoryUrlService final : public url::UrlService {
 public:
  explicit InMemoryUrlService(submission::SubmissionService& submissions)
      : submissions_(submissions) {}

  core::Result<url::ShareLink> generate_url(std::string_view submission_id) override {
    auto exists = submissions_.exists(submission_id);
    if (!exists) return core::Unexpected(exists.error());
    if (!*exists) return core::fail(core::ErrorCode::not_found, "No submission has this id.");
    std::lock_guard lock(mutex_);
    if (auto it = slug_of_.find(submission_id); it != slug_of_.end()) {
      return url::ShareLink{it->second, false};
    }
    std::string number = std::to_string(++counter_);
    std::string slug = "shr" + std::string(7 - number.size(), '0') + number;
    slug_of_.emplace(std::string(submission_id), slug);
    id_of_.emplace(slug, std::string(submission_id));
    return url::ShareLink{slug, true};
  }

  core::Result<std::string> resolve(std::string_view slug) override {
    std::lock_guard lock(mutex_);
    auto it = id_of_.find(slug);
    if (it == id_of_.end()) return core::fail(core::ErrorCode::not_found, "No share has this link.");
    return it->second;
  }

  core::Result<std::vector<std::string>> shared_among(
      const std::vector<std::string>& submission_ids) override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> shared;
    for (const std::string& id : submission_ids) {
      if (slug_of_.find(id) != slug_of_.end()) shared.push_back(id);
    }
    return shared;
  }

  core::Result<std::size_t> purge_submissions(
      const std::vector<std::string>& submission_ids) override {
    std::lock_guard lock(mutex_);
    std::size_t removed = 0;
    for (const std::string& id : submission_ids) {
      auto it = slug_of_.find(id);
      if (it == slug_of_.end()) continue;
      id_of_.erase(it->second);
      slug_of_.erase(it);
      ++removed;
    }
    return removed;
  }

 private:
  submission::SubmissionService& submissions_;
  std::mutex mutex_;
  std::map<std::string, std::string, std::less<>> slug_of_;
  std::map<std::string, std::string, std::less<>> id_of_;
  std::size_t counter_ = 0;
};

}  // namespace ide::test
