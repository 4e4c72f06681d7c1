#include "pg_url_store.hpp"

#include <algorithm>
#include <stdexcept>

namespace ide::url {

namespace {

using Lease = core::pg::ConnectionPool::Lease;

// Numbered migrations, as for SQLite: never edit a shipped entry; append a new one.
const std::vector<std::string> kMigrations = {
    R"sql(
      CREATE TABLE urls (
        slug          TEXT PRIMARY KEY,
        submission_id TEXT NOT NULL UNIQUE,
        created_at_ms BIGINT NOT NULL
                      DEFAULT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT
      )
    )sql",
};

constexpr const char* kSlugOf = "SELECT slug FROM urls WHERE submission_id = $1";
constexpr const char* kSubmissionOf = "SELECT submission_id FROM urls WHERE slug = $1";
// Takes the candidate only when neither its slug nor the submission is mapped yet.
constexpr const char* kInsert =
    "INSERT INTO urls (slug, submission_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
constexpr const char* kRemove = "DELETE FROM urls WHERE submission_id = ANY($1::text[])";

constexpr std::size_t kRemoveBatch = 256;

}  // namespace

PgUrlStore::PgUrlStore(const std::string& url, std::size_t connections)
    : pool_(url, connections) {
  Lease(pool_).db().migrate(kMigrations);
}

std::optional<std::string> PgUrlStore::one_text(const char* sql, std::string_view parameter) {
  core::pg::Rows rows = Lease(pool_).db().exec(sql, {parameter});
  if (rows.rows.empty()) return std::nullopt;
  return rows.rows[0][0];
}

std::optional<std::string> PgUrlStore::slug_of(std::string_view submission_id) {
  return one_text(kSlugOf, submission_id);
}

std::optional<std::string> PgUrlStore::submission_of(std::string_view slug) {
  return one_text(kSubmissionOf, slug);
}

ShareLink PgUrlStore::get_or_insert(std::string_view submission_id,
                                    const std::vector<std::string>& candidates) {
  // No transaction needed: each insert is atomic, and one refused by a conflict is told apart
  // (another process shared this submission meanwhile, or the slug is another's) by looking.
  for (const std::string& candidate : candidates) {
    if (auto existing = one_text(kSlugOf, submission_id)) return ShareLink{*existing, false};
    if (Lease(pool_).db().exec(kInsert, {candidate, submission_id}).affected == 1) {
      return ShareLink{candidate, true};
    }
  }
  if (auto existing = one_text(kSlugOf, submission_id)) return ShareLink{*existing, false};
  throw std::runtime_error("every slug candidate for this submission is taken");
}

std::vector<std::string> PgUrlStore::shared_among(const std::vector<std::string>& submission_ids) {
  std::vector<std::string> shared;
  for (const std::string& id : submission_ids) {
    if (one_text(kSlugOf, id)) shared.push_back(id);
  }
  return shared;
}

std::size_t PgUrlStore::remove_submissions(const std::vector<std::string>& submission_ids) {
  std::size_t removed = 0;
  for (std::size_t begin = 0; begin < submission_ids.size(); begin += kRemoveBatch) {
    const std::size_t end = std::min(submission_ids.size(), begin + kRemoveBatch);
    const std::string batch = core::pg::text_array(submission_ids, begin, end);
    removed += static_cast<std::size_t>(Lease(pool_).db().exec(kRemove, {batch}).affected);
  }
  return removed;
}

}  // namespace ide::url
