// Public interface of the access module: class tokens (issue 12). A teacher or organiser makes
// one per class; students send its student secret as `Authorization: Bearer <secret>`, the
// teacher its owner secret. Only hashes of the secrets are stored. The only header of it that
// others include.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace ide::access {

/// A class's name is 1 to this many bytes ("CS101").
inline constexpr std::size_t kMaxClassNameBytes = 100;

/// What a class may use. 0 means no limit of that kind (the server's own limits still apply).
struct ClassQuota {
  std::int64_t submissions_per_hour = 0;  // submits of the whole class in any rolling hour
  std::int64_t max_queued = 0;            // the class's unfinished submissions at once
};

struct NewClassToken {
  std::string name;
  ClassQuota quota = {};
  std::optional<core::TimePoint> expires_at = std::nullopt;  // never, when unset
};

/// A class token as stored (without its secrets).
struct ClassToken {
  std::string id;  // public: names the class in routes and on its submissions
  std::string name;
  ClassQuota quota = {};
  std::optional<core::TimePoint> expires_at = std::nullopt;
  core::TimePoint created_at;
};

/// What create() answers: the token and its two secrets, shown this once and never again.
struct IssuedClassToken {
  ClassToken token;
  std::string student_secret;  // submits as the class
  std::string owner_secret;    // also sees the class's submissions (the teacher's view)
};

enum class Role { student, owner };

/// Who a bearer secret belongs to.
struct Bearer {
  ClassToken token;
  Role role = Role::student;
};

/// Keeps class tokens. In-process today, a remote client tomorrow: callers cannot tell.
/// Thread-safe.
class AccessService {
 public:
  virtual ~AccessService() = default;

  /// Makes a class token. Errors: invalid_argument (empty or long name, a negative quota, an
  /// expiry in the past, or max_class_tokens exist already), storage_unavailable.
  virtual core::Result<IssuedClassToken> create(NewClassToken request) = 0;

  /// Every class token, oldest first. Errors: storage_unavailable.
  virtual core::Result<std::vector<ClassToken>> list() = 0;

  /// Errors: not_found (including malformed ids), storage_unavailable.
  virtual core::Result<ClassToken> get(std::string_view id) = 0;

  /// Deletes class token `id`: its secrets stop working at once; its submissions stay.
  /// Errors: not_found, storage_unavailable.
  virtual core::Result<void> revoke(std::string_view id) = 0;

  /// Whose `secret` is. Errors: not_found (no such secret, or its token expired),
  /// storage_unavailable.
  virtual core::Result<Bearer> authenticate(std::string_view secret) = 0;
};

}  // namespace ide::access
