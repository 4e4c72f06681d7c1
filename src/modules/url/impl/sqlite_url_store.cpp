#include "sqlite_url_store.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ide::url {

namespace {

using core::sqlite::Database;
using core::sqlite::Statement;

// Numbered migrations: entry i brings user_version from i to i + 1. Never edit a shipped entry;
// append a new one.
const std::vector<std::string> kMigrations = {
    R"sql(
      CREATE TABLE urls (
        slug          TEXT PRIMARY KEY NOT NULL,
        submission_id TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
                      DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
      );
      CREATE UNIQUE INDEX urls_submission_id ON urls (submission_id);
    )sql",
};

const std::string kSlugOf = "SELECT slug FROM urls WHERE submission_id = ?";
const std::string kSubmissionOf = "SELECT submission_id FROM urls WHERE slug = ?";
const std::string kInsert = "INSERT INTO urls (slug, submission_id) VALUES (?, ?)";
const std::string kRemove = "DELETE FROM urls WHERE submission_id = ?";

// Rows deleted per transaction, so that a share never waits long for the connection.
constexpr std::size_t kRemoveBatch = 256;

// Runs a one-column query with one text parameter; the first row's value, or nullopt. The
// statement is reset before returning so no read stays open inside a transaction.
std::optional<std::string> query_text(Database& db, const std::string& sql,
                                      std::string_view parameter) {
  Statement& statement = db.prepare(sql);
  std::optional<std::string> value;
  try {
    statement.bind(1, parameter);
    if (statement.step()) value = statement.column_text(0);
  } catch (...) {
    statement.reset();
    throw;
  }
  statement.reset();
  return value;
}

}  // namespace

SqliteUrlStore::SqliteUrlStore(const std::filesystem::path& path) : db_(path, kMigrations) {}

std::optional<std::string> SqliteUrlStore::slug_of(std::string_view submission_id) {
  std::lock_guard lock(mutex_);
  return query_text(db_, kSlugOf, submission_id);
}

std::optional<std::string> SqliteUrlStore::submission_of(std::string_view slug) {
  std::lock_guard lock(mutex_);
  return query_text(db_, kSubmissionOf, slug);
}

ShareLink SqliteUrlStore::get_or_insert(std::string_view submission_id,
                                        const std::vector<std::string>& candidates) {
  std::lock_guard lock(mutex_);
  // BEGIN IMMEDIATE takes the write lock first, so the check and the insert see the same state
  // even if another process shares the file.
  core::sqlite::Transaction transaction(db_);
  if (auto existing = query_text(db_, kSlugOf, submission_id)) {
    return ShareLink{std::move(*existing), false};
  }
  for (const std::string& candidate : candidates) {
    if (query_text(db_, kSubmissionOf, candidate)) continue;
    db_.prepare(kInsert).bind(1, candidate).bind(2, submission_id).run();
    transaction.commit();
    return ShareLink{candidate, true};
  }
  throw std::runtime_error("every slug candidate for this submission is taken");
}

std::vector<std::string> SqliteUrlStore::shared_among(
    const std::vector<std::string>& submission_ids) {
  std::vector<std::string> shared;
  std::lock_guard lock(mutex_);
  // One indexed lookup per id through a cached statement: the rows are tiny, and a fixed SQL text
  // keeps the statement cache from growing with every batch size an IN list would produce.
  for (const std::string& id : submission_ids) {
    if (query_text(db_, kSlugOf, id)) shared.push_back(id);
  }
  return shared;
}

std::size_t SqliteUrlStore::remove_submissions(const std::vector<std::string>& submission_ids) {
  std::size_t removed = 0;
  for (std::size_t begin = 0; begin < submission_ids.size(); begin += kRemoveBatch) {
    const std::size_t end = std::min(submission_ids.size(), begin + kRemoveBatch);
    std::lock_guard lock(mutex_);
    core::sqlite::Transaction transaction(db_);
    for (std::size_t i = begin; i < end; ++i) {
      db_.prepare(kRemove).bind(1, submission_ids[i]).run();
      removed += static_cast<std::size_t>(db_.changes());
    }
    transaction.commit();
  }
  return removed;
}

}  // namespace ide::url
