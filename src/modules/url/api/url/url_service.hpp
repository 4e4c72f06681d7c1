// Public interface of the url module: short share slugs for submissions. The only header of it
// that others include.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace ide::url {

struct ShareLink {
  std::string slug;
  bool created = false;  // true the first time this submission was shared
};

/// Maps submissions to short slugs. Thread-safe.
class UrlService {
 public:
  virtual ~UrlService() = default;

  /// The slug of `submission_id`, made on first call from a keyed hash of the id (same id, same
  /// slug; a collision extends the slug and never overwrites another mapping). Checks the
  /// submission exists through the submission module. Errors: not_found, storage_unavailable.
  virtual core::Result<ShareLink> generate_url(std::string_view submission_id) = 0;

  /// The submission id behind `slug`. Errors: not_found (including malformed slugs),
  /// storage_unavailable.
  virtual core::Result<std::string> resolve(std::string_view slug) = 0;

  /// Those of `submission_ids` that have a share link, in the order given.
  /// Errors: storage_unavailable.
  virtual core::Result<std::vector<std::string>> shared_among(
      const std::vector<std::string>& submission_ids) = 0;

  /// Removes the share links of `submission_ids` (ids without one are ignored); returns how many
  /// were removed. A removed slug resolves to not_found from then on. Errors: storage_unavailable.
  virtual core::Result<std::size_t> purge_submissions(
      const std::vector<std::string>& submission_ids) = 0;
};

}  // namespace ide::url
