// The url module's storage interface: SqliteUrlStore (the default) and PgUrlStore.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "url/url_service.hpp"

namespace ide::url {

/// The slug <-> submission id mapping; each side is unique. Methods throw on storage failure
/// (the service maps the exception). Thread-safe.
class UrlStore {
 public:
  virtual ~UrlStore() = default;

  /// The slug of `submission_id`, or nullopt when it was never shared.
  virtual std::optional<std::string> slug_of(std::string_view submission_id) = 0;

  /// The submission behind `slug`, or nullopt.
  virtual std::optional<std::string> submission_of(std::string_view slug) = 0;

  /// Atomically: the slug `submission_id` already has (created = false), else the first of
  /// `candidates` that no other submission holds, now mapped to it (created = true). An existing
  /// mapping is never changed. Throws when every candidate is taken.
  virtual ShareLink get_or_insert(std::string_view submission_id,
                                  const std::vector<std::string>& candidates) = 0;

  /// Those of `submission_ids` that have a slug, in the order given.
  virtual std::vector<std::string> shared_among(const std::vector<std::string>& submission_ids) = 0;

  /// Deletes the mappings of `submission_ids`, a batch per transaction; returns how many went.
  virtual std::size_t remove_submissions(const std::vector<std::string>& submission_ids) = 0;
};

}  // namespace ide::url
