// Share slugs: derived from the submission id by a keyed hash, so sharing is idempotent.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ide::url {

inline constexpr std::size_t kMinSlugLength = 8;
inline constexpr std::size_t kMaxSlugLength = 64;

/// The slugs `submission_id` may get under `secret`, preferred first: the first 8, 9, ..., 64
/// characters of base64url(HMAC-SHA256(secret, submission_id)), continued past its 43 characters
/// by base64url(HMAC-SHA256(secret, previous digest)). A longer candidate is used only when the
/// shorter ones belong to other submissions. Throws std::runtime_error if OpenSSL fails.
std::vector<std::string> slug_candidates(std::string_view secret, std::string_view submission_id);

/// True if `slug` could have been made by slug_candidates (cheap check before a lookup).
bool is_well_formed_slug(std::string_view slug);

}  // namespace ide::url
