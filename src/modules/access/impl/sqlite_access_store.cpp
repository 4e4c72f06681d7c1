#include "sqlite_access_store.hpp"

#include <cstdint>
#include <string>

namespace ide::access {

namespace {

using core::sqlite::ResetOnExit;
using core::sqlite::Statement;

// Numbered migrations: entry i brings user_version from i to i + 1. Never edit a shipped entry;
// append a new one. The secrets' hashes are UNIQUE, which also indexes authenticate()'s lookup.
const std::vector<std::string> kMigrations = {
    R"sql(
      CREATE TABLE class_tokens (
        id             TEXT PRIMARY KEY NOT NULL,
        name           BLOB NOT NULL,
        quota_per_hour INTEGER NOT NULL,
        max_queued     INTEGER NOT NULL,
        expires_at_ms  INTEGER,
        created_at_ms  INTEGER NOT NULL,
        student_hash   TEXT NOT NULL UNIQUE,
        owner_hash     TEXT NOT NULL UNIQUE
      );
      CREATE INDEX class_tokens_created ON class_tokens (created_at_ms, id);
    )sql",
};

// The columns token_at() reads, in its order.
const std::string kColumns = "id, name, quota_per_hour, max_queued, expires_at_ms, created_at_ms";

const std::string kInsert = "INSERT INTO class_tokens (" + kColumns +
                            ", student_hash, owner_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
const std::string kFind = "SELECT " + kColumns + " FROM class_tokens WHERE id = ?";
// The last column says which of the two secrets `hash` is.
const std::string kFindByHash = "SELECT " + kColumns +
                                ", owner_hash = ? FROM class_tokens "
                                "WHERE student_hash = ? OR owner_hash = ?";
const std::string kList = "SELECT " + kColumns + " FROM class_tokens ORDER BY created_at_ms, id";
const std::string kRemove = "DELETE FROM class_tokens WHERE id = ?";
const std::string kCount = "SELECT COUNT(*) FROM class_tokens";

/// The token in the first six columns of `statement`'s current row.
ClassToken token_at(const Statement& statement) {
  ClassToken token{.id = statement.column_text(0),
                   .name = statement.column_text(1),
                   .quota = {.submissions_per_hour = statement.column_int(2),
                             .max_queued = statement.column_int(3)},
                   .created_at = core::from_unix_ms(statement.column_int(5))};
  if (auto expires = statement.column_optional_int(4)) {
    token.expires_at = core::from_unix_ms(*expires);
  }
  return token;
}

std::optional<std::int64_t> unix_ms(const std::optional<core::TimePoint>& time) {
  if (!time) return std::nullopt;
  return core::to_unix_ms(*time);
}

}  // namespace

SqliteAccessStore::SqliteAccessStore(const std::filesystem::path& path) : db_(path, kMigrations) {}

void SqliteAccessStore::insert(const StoredToken& stored) {
  const ClassToken& token = stored.token;
  std::lock_guard lock(mutex_);
  db_.prepare(kInsert)
      .bind(1, token.id)
      .bind_blob(2, token.name)
      .bind(3, token.quota.submissions_per_hour)
      .bind(4, token.quota.max_queued)
      .bind(5, unix_ms(token.expires_at))
      .bind(6, core::to_unix_ms(token.created_at))
      .bind(7, stored.student_hash)
      .bind(8, stored.owner_hash)
      .run();
}

std::optional<ClassToken> SqliteAccessStore::find(std::string_view id) {
  std::lock_guard lock(mutex_);
  Statement& statement = db_.prepare(kFind);
  ResetOnExit reset(statement);
  statement.bind(1, id);
  if (!statement.step()) return std::nullopt;
  return token_at(statement);
}

std::optional<Bearer> SqliteAccessStore::find_by_hash(std::string_view hash) {
  std::lock_guard lock(mutex_);
  Statement& statement = db_.prepare(kFindByHash);
  ResetOnExit reset(statement);
  statement.bind(1, hash).bind(2, hash).bind(3, hash);
  if (!statement.step()) return std::nullopt;
  return Bearer{.token = token_at(statement),
                .role = statement.column_int(6) != 0 ? Role::owner : Role::student};
}

std::vector<ClassToken> SqliteAccessStore::list() {
  std::lock_guard lock(mutex_);
  Statement& statement = db_.prepare(kList);
  ResetOnExit reset(statement);
  std::vector<ClassToken> tokens;
  while (statement.step()) tokens.push_back(token_at(statement));
  return tokens;
}

bool SqliteAccessStore::remove(std::string_view id) {
  std::lock_guard lock(mutex_);
  db_.prepare(kRemove).bind(1, id).run();
  return db_.changes() == 1;
}

std::size_t SqliteAccessStore::count() {
  std::lock_guard lock(mutex_);
  Statement& statement = db_.prepare(kCount);
  ResetOnExit reset(statement);
  statement.step();
  return static_cast<std::size_t>(statement.column_int(0));
}

}  // namespace ide::access
