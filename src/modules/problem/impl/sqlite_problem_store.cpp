#include "sqlite_problem_store.hpp"

#include <cstdint>
#include <string>
#include <utility>

#include "stored_problem.hpp"

namespace ide::problem {

namespace {

using core::sqlite::ResetOnExit;
using core::sqlite::Statement;

// Numbered migrations: entry i brings user_version from i to i + 1. Never edit a shipped entry;
// append a new one. The test counts sit beside the document so that list() never parses it.
const std::vector<std::string> kMigrations = {
    R"sql(
      CREATE TABLE problems (
        id            TEXT PRIMARY KEY NOT NULL,
        title         TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        visible_tests INTEGER NOT NULL,
        hidden_tests  INTEGER NOT NULL,
        content       TEXT NOT NULL
      );
      CREATE INDEX problems_created ON problems (created_at_ms, id);
    )sql",
};

const std::string kInsert =
    "INSERT INTO problems (id, title, created_at_ms, updated_at_ms, visible_tests, "
    "hidden_tests, content) VALUES (?, ?, ?, ?, ?, ?, ?)";
const std::string kUpdate =
    "UPDATE problems SET title = ?, updated_at_ms = ?, visible_tests = ?, hidden_tests = ?, "
    "content = ? WHERE id = ?";
const std::string kFind =
    "SELECT title, created_at_ms, updated_at_ms, content FROM problems WHERE id = ?";
const std::string kList =
    "SELECT id, title, visible_tests, hidden_tests, updated_at_ms FROM problems "
    "ORDER BY created_at_ms, id";
const std::string kRemove = "DELETE FROM problems WHERE id = ?";
const std::string kCount = "SELECT COUNT(*) FROM problems";

}  // namespace

SqliteProblemStore::SqliteProblemStore(const std::filesystem::path& path)
    : db_(path, kMigrations) {}

void SqliteProblemStore::insert(const Problem& problem) {
  const StoredContent columns(problem.content);
  std::lock_guard lock(mutex_);
  db_.prepare(kInsert)
      .bind(1, problem.id)
      .bind(2, problem.content.title)
      .bind(3, core::to_unix_ms(problem.created_at))
      .bind(4, core::to_unix_ms(problem.updated_at))
      .bind(5, columns.visible_tests)
      .bind(6, columns.hidden_tests)
      .bind(7, columns.document)
      .run();
}

bool SqliteProblemStore::update(std::string_view id, const ProblemContent& content,
                                core::TimePoint updated_at) {
  const StoredContent columns(content);
  std::lock_guard lock(mutex_);
  db_.prepare(kUpdate)
      .bind(1, content.title)
      .bind(2, core::to_unix_ms(updated_at))
      .bind(3, columns.visible_tests)
      .bind(4, columns.hidden_tests)
      .bind(5, columns.document)
      .bind(6, id)
      .run();
  return db_.changes() == 1;
}

std::optional<Problem> SqliteProblemStore::find(std::string_view id) {
  std::lock_guard lock(mutex_);
  Statement& statement = db_.prepare(kFind);
  ResetOnExit reset(statement);
  statement.bind(1, id);
  if (!statement.step()) return std::nullopt;
  Problem problem{.id = std::string(id),
                  .content = decode_stored_problem(statement.column_view(3)),
                  .created_at = core::from_unix_ms(statement.column_int(1)),
                  .updated_at = core::from_unix_ms(statement.column_int(2))};
  problem.content.title = statement.column_text(0);
  return problem;
}

std::vector<ProblemSummary> SqliteProblemStore::list() {
  std::lock_guard lock(mutex_);
  Statement& statement = db_.prepare(kList);
  ResetOnExit reset(statement);
  std::vector<ProblemSummary> summaries;
  while (statement.step()) {
    summaries.push_back({.id = statement.column_text(0),
                         .title = statement.column_text(1),
                         .visible_tests = static_cast<std::size_t>(statement.column_int(2)),
                         .hidden_tests = static_cast<std::size_t>(statement.column_int(3)),
                         .updated_at = core::from_unix_ms(statement.column_int(4))});
  }
  return summaries;
}

bool SqliteProblemStore::remove(std::string_view id) {
  std::lock_guard lock(mutex_);
  db_.prepare(kRemove).bind(1, id).run();
  return db_.changes() == 1;
}

std::size_t SqliteProblemStore::count() {
  std::lock_guard lock(mutex_);
  Statement& statement = db_.prepare(kCount);
  ResetOnExit reset(statement);
  statement.step();
  return static_cast<std::size_t>(statement.column_int(0));
}

}  // namespace ide::problem
