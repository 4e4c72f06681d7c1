// A class token's secrets: made from a CSPRNG, kept only as their SHA-256.
#pragma once

#include <string>
#include <string_view>

namespace ide::access {

/// Marks a student's secret, so that a leaked one is recognised for what it is.
inline constexpr std::string_view kStudentSecretPrefix = "ide_cls_";
/// Marks a class owner's (teacher's) secret.
inline constexpr std::string_view kOwnerSecretPrefix = "ide_own_";

/// `prefix` and then 32 bytes from getrandom(2), base64url without padding.
std::string new_secret(std::string_view prefix);

/// The SHA-256 of `secret` in lowercase hex: what the stores keep and look secrets up by.
/// Throws std::runtime_error if OpenSSL fails.
std::string secret_hash(std::string_view secret);

}  // namespace ide::access
