// The access module's storage interface: SqliteAccessStore (the default) and PgAccessStore.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/access_service.hpp"

namespace ide::access {

/// A class token as a store row holds it: the token and the hashes of its secrets.
struct StoredToken {
  ClassToken token;
  std::string student_hash;
  std::string owner_hash;
};

/// Where class tokens live, one row each, indexed by both secret hashes. Methods throw on
/// storage failure (the service maps the exception). Thread-safe.
class AccessStore {
 public:
  virtual ~AccessStore() = default;

  /// Commits the new token `stored`.
  virtual void insert(const StoredToken& stored) = 0;

  /// The token `id`, or nullopt when there is none.
  virtual std::optional<ClassToken> find(std::string_view id) = 0;

  /// The token whose student or owner secret hashes to `hash`, with the role that secret
  /// grants, or nullopt when there is none.
  virtual std::optional<Bearer> find_by_hash(std::string_view hash) = 0;

  /// Every token, oldest first (ties by id).
  virtual std::vector<ClassToken> list() = 0;

  /// Deletes `id`; false when there was no such token.
  virtual bool remove(std::string_view id) = 0;

  /// How many tokens are stored.
  virtual std::size_t count() = 0;
};

}  // namespace ide::access
