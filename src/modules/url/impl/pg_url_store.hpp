// The PostgreSQL implementation of UrlStore, for url_store = "postgresql://...": several ide
// processes can share one mapping.
#pragma once

#include <mutex>
#include <string>

#include "core/pg.hpp"
#include "url_store.hpp"

namespace ide::url {

/// One connection under a mutex, as SqliteUrlStore: rows are tiny.
class PgUrlStore final : public UrlStore {
 public:
  /// Connects to `url` and creates or migrates the url tables. Throws core::StorageUnavailable
  /// when the server cannot be reached.
  explicit PgUrlStore(const std::string& url);

  std::optional<std::string> slug_of(std::string_view submission_id) override;
  std::optional<std::string> submission_of(std::string_view slug) override;
  ShareLink get_or_insert(std::string_view submission_id,
                          const std::vector<std::string>& candidates) override;
  std::vector<std::string> shared_among(const std::vector<std::string>& submission_ids) override;
  std::size_t remove_submissions(const std::vector<std::string>& submission_ids) override;

 private:
  std::optional<std::string> one_text(const char* sql, std::string_view parameter);

  std::mutex mutex_;
  core::pg::Connection db_;
};

}  // namespace ide::url
