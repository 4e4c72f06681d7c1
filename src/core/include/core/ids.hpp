// Random, URL-safe, unguessable ids (SPEC section 3: >= 122 bits, never sequential).
#pragma once

#include <string>
#include <string_view>

namespace ide::core {

/// Makes ids. Injected so tests can be deterministic. Thread-safe.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string new_id() = 0;
};

/// 128 bits from getrandom(2), base64url without padding: 22 characters.
class RandomIdGenerator final : public IdGenerator {
 public:
  std::string new_id() override;
};

/// Length of an id made by RandomIdGenerator.
inline constexpr std::size_t kIdLength = 22;

/// True if `id` has the shape of a RandomIdGenerator id (cheap check before a lookup).
bool is_well_formed_id(std::string_view id);

/// `n` bytes from the kernel's CSPRNG. Throws std::system_error on failure.
std::string random_bytes(std::size_t n);

/// base64url without padding (RFC 4648 section 5).
std::string base64url_encode(std::string_view bytes);

/// Whether `given` equals the secret `expected`, in a time that does not depend on where they
/// differ. An empty `expected` matches nothing.
bool same_secret(std::string_view given, std::string_view expected);

}  // namespace ide::core
