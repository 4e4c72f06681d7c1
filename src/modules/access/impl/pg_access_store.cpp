#include "pg_access_store.hpp"

#include <string>
#include <utility>

namespace ide::access {

namespace {

using core::pg::Param;
using Lease = core::pg::ConnectionPool::Lease;

// Numbered migrations, as for SQLite: never edit a shipped entry; append a new one. The name is
// BYTEA: it is any bytes, and a TEXT value could hold no NUL.
const std::vector<std::string> kMigrations = {
    R"sql(
      CREATE TABLE class_tokens (
        id             TEXT PRIMARY KEY,
        name           BYTEA NOT NULL,
        quota_per_hour BIGINT NOT NULL,
        max_queued     BIGINT NOT NULL,
        expires_at_ms  BIGINT,
        created_at_ms  BIGINT NOT NULL,
        student_hash   TEXT NOT NULL UNIQUE,
        owner_hash     TEXT NOT NULL UNIQUE
      );
      CREATE INDEX class_tokens_created ON class_tokens (created_at_ms, id);
    )sql",
};

// The columns token_at() reads, in its order.
const std::string kColumns = "id, name, quota_per_hour, max_queued, expires_at_ms, created_at_ms";

const std::string kInsert = "INSERT INTO class_tokens (" + kColumns +
                            ", student_hash, owner_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const std::string kFind = "SELECT " + kColumns + " FROM class_tokens WHERE id = $1";
// The last column says which of the two secrets $1 is.
const std::string kFindByHash = "SELECT " + kColumns +
                                ", owner_hash = $1 FROM class_tokens "
                                "WHERE student_hash = $1 OR owner_hash = $1";
const std::string kList = "SELECT " + kColumns + " FROM class_tokens ORDER BY created_at_ms, id";
constexpr const char* kRemove = "DELETE FROM class_tokens WHERE id = $1";
constexpr const char* kCount = "SELECT COUNT(*) FROM class_tokens";

Param time_param(const std::optional<core::TimePoint>& time) {
  if (!time) return Param::integer(std::nullopt);
  return Param::integer(core::to_unix_ms(*time));
}

core::TimePoint time_at(const std::optional<std::string>& column) {
  return core::from_unix_ms(std::stoll(*column));
}

/// The token in the first six columns of `row`.
ClassToken token_at(std::vector<std::optional<std::string>>& row) {
  ClassToken token{
      .id = std::move(*row[0]),
      .name = core::pg::from_bytea(*row[1]),
      .quota = {.submissions_per_hour = std::stoll(*row[2]), .max_queued = std::stoll(*row[3])},
      .created_at = time_at(row[5])};
  if (row[4]) token.expires_at = time_at(row[4]);
  return token;
}

}  // namespace

PgAccessStore::PgAccessStore(const std::string& url, std::size_t connections)
    : pool_(url, connections) {
  Lease(pool_).db().migrate(kMigrations);
}

void PgAccessStore::insert(const StoredToken& stored) {
  const ClassToken& token = stored.token;
  Lease(pool_).db().exec(
      kInsert,
      {token.id, Param::bytes(token.name), Param::integer(token.quota.submissions_per_hour),
       Param::integer(token.quota.max_queued), time_param(token.expires_at),
       time_param(token.created_at), stored.student_hash, stored.owner_hash});
}

std::optional<ClassToken> PgAccessStore::find(std::string_view id) {
  core::pg::Rows rows = Lease(pool_).db().exec(kFind, {id});
  if (rows.rows.empty()) return std::nullopt;
  return token_at(rows.rows[0]);
}

std::optional<Bearer> PgAccessStore::find_by_hash(std::string_view hash) {
  core::pg::Rows rows = Lease(pool_).db().exec(kFindByHash, {hash});
  if (rows.rows.empty()) return std::nullopt;
  auto& row = rows.rows[0];
  const bool is_owner = row[6] == "t";
  return Bearer{.token = token_at(row), .role = is_owner ? Role::owner : Role::student};
}

std::vector<ClassToken> PgAccessStore::list() {
  std::vector<ClassToken> tokens;
  for (auto& row : Lease(pool_).db().exec(kList).rows) tokens.push_back(token_at(row));
  return tokens;
}

bool PgAccessStore::remove(std::string_view id) {
  return Lease(pool_).db().exec(kRemove, {id}).affected == 1;
}

std::size_t PgAccessStore::count() {
  return std::stoul(*Lease(pool_).db().exec(kCount).rows.at(0).at(0));
}

}  // namespace ide::access
