// Public interface of the url module: short share slugs for submissions. The only header of it
// that others include.
#pragma once

#include <string>
#include <string_view>

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
};

}  // namespace ide::url
