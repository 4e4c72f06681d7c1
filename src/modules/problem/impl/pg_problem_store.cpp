#include "pg_problem_store.hpp"

#include <string>
#include <utility>

#include "stored_problem.hpp"

namespace ide::problem {

namespace {

using core::pg::Param;
using Lease = core::pg::ConnectionPool::Lease;

// Numbered migrations, as for SQLite: never edit a shipped entry; append a new one. The title is
// BYTEA: it is any bytes, and a TEXT value could hold neither NUL nor invalid UTF-8.
const std::vector<std::string> kMigrations = {
    R"sql(
      CREATE TABLE problems (
        id            TEXT PRIMARY KEY,
        title         BYTEA NOT NULL,
        created_at_ms BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        visible_tests INTEGER NOT NULL,
        hidden_tests  INTEGER NOT NULL,
        content       TEXT NOT NULL
      );
      CREATE INDEX problems_created ON problems (created_at_ms, id);
    )sql",
};

constexpr const char* kInsert =
    "INSERT INTO problems (id, title, created_at_ms, updated_at_ms, visible_tests, "
    "hidden_tests, content) VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr const char* kUpdate =
    "UPDATE problems SET title = $1, updated_at_ms = $2, visible_tests = $3, hidden_tests = $4, "
    "content = $5 WHERE id = $6";
constexpr const char* kFind =
    "SELECT title, created_at_ms, updated_at_ms, content FROM problems WHERE id = $1";
constexpr const char* kList =
    "SELECT id, title, visible_tests, hidden_tests, updated_at_ms FROM problems "
    "ORDER BY created_at_ms, id";
constexpr const char* kRemove = "DELETE FROM problems WHERE id = $1";
constexpr const char* kCount = "SELECT COUNT(*) FROM problems";

Param time_param(core::TimePoint time) { return Param::integer(core::to_unix_ms(time)); }

core::TimePoint time_at(const std::optional<std::string>& column) {
  return core::from_unix_ms(std::stoll(*column));
}

}  // namespace

PgProblemStore::PgProblemStore(const std::string& url, std::size_t connections)
    : pool_(url, connections) {
  Lease(pool_).db().migrate(kMigrations);
}

void PgProblemStore::insert(const Problem& problem) {
  const StoredContent columns(problem.content);
  Lease(pool_).db().exec(
      kInsert, {problem.id, Param::bytes(problem.content.title), time_param(problem.created_at),
                time_param(problem.updated_at), Param::integer(columns.visible_tests),
                Param::integer(columns.hidden_tests), columns.document});
}

bool PgProblemStore::update(std::string_view id, const ProblemContent& content,
                            core::TimePoint updated_at) {
  const StoredContent columns(content);
  const core::pg::Rows rows =
      Lease(pool_).db().exec(kUpdate, {Param::bytes(content.title), time_param(updated_at),
                                       Param::integer(columns.visible_tests),
                                       Param::integer(columns.hidden_tests), columns.document, id});
  return rows.affected == 1;
}

std::optional<Problem> PgProblemStore::find(std::string_view id) {
  core::pg::Rows rows = Lease(pool_).db().exec(kFind, {id});
  if (rows.rows.empty()) return std::nullopt;
  auto& row = rows.rows[0];
  Problem problem{.id = std::string(id),
                  .content = decode_stored_problem(*row[3]),
                  .created_at = time_at(row[1]),
                  .updated_at = time_at(row[2])};
  problem.content.title = core::pg::from_bytea(*row[0]);
  return problem;
}

std::vector<ProblemSummary> PgProblemStore::list() {
  std::vector<ProblemSummary> summaries;
  for (auto& row : Lease(pool_).db().exec(kList).rows) {
    summaries.push_back({.id = std::move(*row[0]),
                         .title = core::pg::from_bytea(*row[1]),
                         .visible_tests = std::stoul(*row[2]),
                         .hidden_tests = std::stoul(*row[3]),
                         .updated_at = time_at(row[4])});
  }
  return summaries;
}

bool PgProblemStore::remove(std::string_view id) {
  return Lease(pool_).db().exec(kRemove, {id}).affected == 1;
}

std::size_t PgProblemStore::count() {
  return std::stoul(*Lease(pool_).db().exec(kCount).rows.at(0).at(0));
}

}  // namespace ide::problem
