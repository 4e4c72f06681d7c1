#include "secrets.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include <fmt/format.h>

#include "core/ids.hpp"

namespace ide::access {

namespace {

// 256 bits: guessing one is out of reach, so a plain unsalted hash is enough to store it.
constexpr std::size_t kSecretBytes = 32;

}  // namespace

std::string new_secret(std::string_view prefix) {
  return std::string(prefix) + core::base64url_encode(core::random_bytes(kSecretBytes));
}

std::string secret_hash(std::string_view secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(secret.data(), secret.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace ide::access
