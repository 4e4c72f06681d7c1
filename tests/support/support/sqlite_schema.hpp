// What a SQLite file holds, read as an operator would (no migrations applied): for the tests that
// a module's database holds only that module's tables.
#pragma once

#include <filesystem>
#include <set>
#include <string>

#include "core/sqlite.hpp"

namespace ide::test {

struct SqliteSchema {
  std::set<std::string> tables;  // the tables' names
  std::set<std::string> owners;  // the tables every table, index and trigger belongs to
};

inline SqliteSchema sqlite_schema(const std::filesystem::path& file) {
  core::sqlite::Database db(file, {});
  auto& statement =
      db.prepare("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'");
  core::sqlite::ResetOnExit reset(statement);
  SqliteSchema schema;
  while (statement.step()) {
    if (statement.column_text(0) == "table") schema.tables.insert(statement.column_text(1));
    schema.owners.insert(statement.column_text(2));
  }
  return schema;
}

}  // namespace ide::test
