// The SQLite implementation of UrlStore, the default (PgUrlStore is the other).
#pragma once

#include <filesystem>
#include <mutex>

#include "core/sqlite.hpp"
#include "url_store.hpp"

namespace ide::url {

/// urls.db through one connection under a mutex: rows are tiny, so a pool would buy nothing.
class SqliteUrlStore final : public UrlStore {
 public:
  /// Opens (creating or migrating) the database at `path`. Throws core::sqlite::SqliteError.
  explicit SqliteUrlStore(const std::filesystem::path& path);

  std::optional<std::string> slug_of(std::string_view submission_id) override;
  std::optional<std::string> submission_of(std::string_view slug) override;
  ShareLink get_or_insert(std::string_view submission_id,
                          const std::vector<std::string>& candidates) override;
  std::vector<std::string> shared_among(const std::vector<std::string>& submission_ids) override;
  std::size_t remove_submissions(const std::vector<std::string>& submission_ids) override;

 private:
  std::mutex mutex_;
  core::sqlite::Database db_;
};

}  // namespace ide::url
