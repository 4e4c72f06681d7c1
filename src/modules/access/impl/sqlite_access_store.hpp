// The SQLite implementation of AccessStore, the default (PgAccessStore is the other).
#pragma once

#include <filesystem>
#include <mutex>

#include "access_store.hpp"
#include "core/sqlite.hpp"

namespace ide::access {

/// The class tokens database through one connection under a mutex: a server has tens of
/// classes, and each call is one indexed row, so a pool would buy little.
class SqliteAccessStore final : public AccessStore {
 public:
  /// Opens (creating or migrating) the database at `path`. Throws core::sqlite::SqliteError.
  explicit SqliteAccessStore(const std::filesystem::path& path);

  void insert(const StoredToken& stored) override;
  std::optional<ClassToken> find(std::string_view id) override;
  std::optional<Bearer> find_by_hash(std::string_view hash) override;
  std::vector<ClassToken> list() override;
  bool remove(std::string_view id) override;
  std::size_t count() override;

 private:
  std::mutex mutex_;
  core::sqlite::Database db_;
};

}  // namespace ide::access
