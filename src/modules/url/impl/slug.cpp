#include "slug.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "core/ids.hpp"

namespace ide::url {

namespace {

constexpr std::string_view kSlugAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
           &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace

std::vector<std::string> slug_candidates(std::string_view secret,
                                         std::string_view submission_id) {
  std::string digest = hmac_sha256(secret, submission_id);
  std::string stream = core::base64url_encode(digest);
  // A slug starting with '-' would read as an option on a command line (`ide show -x...`).
  stream.erase(0, stream.find_first_not_of('-'));
  while (stream.size() < kMaxSlugLength) {
    digest = hmac_sha256(secret, digest);
    stream += core::base64url_encode(digest);
  }
  std::vector<std::string> candidates;
  candidates.reserve(kMaxSlugLength - kMinSlugLength + 1);
  for (std::size_t length = kMinSlugLength; length <= kMaxSlugLength; ++length) {
    candidates.push_back(stream.substr(0, length));
  }
  return candidates;
}

bool is_well_formed_slug(std::string_view slug) {
  return slug.size() >= kMinSlugLength && slug.size() <= kMaxSlugLength &&
         slug.find_first_not_of(kSlugAlphabet) == std::string_view::npos;
}

}  // namespace ide::url
