// The server's share secret: the key of the slug hash, generated once into the data dir.
#pragma once

#include <filesystem>
#include <string>

namespace ide::url {

/// The secret in `file` (surrounding whitespace removed). When `file` does not exist, writes 32
/// random bytes, hex-encoded, into it atomically with mode 0600 and returns them; if another
/// process wins that race, its secret is used. Throws std::system_error on I/O failure and
/// std::runtime_error when the file holds no secret.
std::string load_or_create_share_secret(const std::filesystem::path& file);

}  // namespace ide::url
