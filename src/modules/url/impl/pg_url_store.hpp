// The PostgreSQL implementation of UrlStore, for url_store = "postgresql://...": several ide
// processes can share one mapping.
#pragma once

#include <string>

#include "core/pg.hpp"
#include "url_store.hpp"

namespace ide::url {

/// A small pool of connections: each call borrows one for its statement.
class PgUrlStore final : public UrlStore {
 public:
  /// Connects to `url` and creates or migrates the url tables. Throws core::StorageUnavailable
  /// when the server cannot be reached.
  explicit PgUrlStore(const std::string& url, std::size_t connections = 4);

  std::optional<std::string> slug_of(std::string_view submission_id) override;
  std::optional<std::string> submission_of(std::string_view slug) override;
  ShareLink get_or_insert(std::string_view submission_id,
                          const std::vector<std::string>& candidates) override;
  std::vector<std::string> shared_among(const std::vector<std::string>& submission_ids) override;
  std::size_t remove_submissions(const std::vector<std::string>& submission_ids) override;

 private:
  std::optional<std::string> one_text(const char* sql, std::string_view parameter);

  core::pg::ConnectionPool pool_;
};

}  // namespace ide::url
