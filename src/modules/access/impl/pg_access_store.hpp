// The PostgreSQL implementation of AccessStore, for access_store = "postgresql://...": several
// ide processes can share one set of class tokens.
#pragma once

#include <cstddef>
#include <string>

#include "access_store.hpp"
#include "core/pg.hpp"

namespace ide::access {

/// A small pool of connections: each call borrows one for its statement.
class PgAccessStore final : public AccessStore {
 public:
  /// Connects to `url` and creates or migrates the access tables. Throws
  /// core::StorageUnavailable when the server cannot be reached.
  explicit PgAccessStore(const std::string& url, std::size_t connections = 4);

  void insert(const StoredToken& stored) override;
  std::optional<ClassToken> find(std::string_view id) override;
  std::optional<Bearer> find_by_hash(std::string_view hash) override;
  std::vector<ClassToken> list() override;
  bool remove(std::string_view id) override;
  std::size_t count() override;

 private:
  core::pg::ConnectionPool pool_;
};

}  // namespace ide::access
