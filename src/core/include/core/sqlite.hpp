// A small RAII layer over SQLite: connections, reusable prepared statements, transactions that
// roll back unless committed, and numbered migrations kept in PRAGMA user_version.
//
// Errors throw SqliteError (an object is valid from construction to destruction, SQLiteCpp
// style); a module's service catches at its boundary and returns a core::Result.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ide::core::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  /// The primary SQLite result code (SQLITE_FULL, SQLITE_READONLY, ...).
  int code() const { return code_; }
  /// True when the disk is full, read-only or failing: the caller should answer
  /// storage_unavailable rather than internal.
  bool is_storage_fault() const;

 private:
  int code_;
};

/// Maps an exception thrown inside a store to the Error a service returns.
Error to_error(const std::exception& e);

/// A prepared statement. Bind indexes start at 1, column indexes at 0. Not thread-safe.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);  // stored as TEXT (copied)
  Statement& bind_blob(int index, std::string_view bytes);  // stored as BLOB (copied)
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<std::int64_t>& value);

  /// Advances to the next row: true if there is one, false when done.
  bool step();
  /// Runs a statement that returns no rows to completion, then resets it.
  void run();
  /// Resets for re-execution and clears bindings.
  void reset();

  bool is_null(int column) const;
  std::int64_t column_int(int column) const;
  std::optional<std::int64_t> column_optional_int(int column) const;
  /// TEXT or BLOB column as bytes (valid copies: NUL bytes preserved).
  std::string column_text(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

/// Resets a statement when the scope ends however it is left, so an idle connection never keeps
/// a read transaction open (which would pin an old WAL snapshot).
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { statement_.reset(); }

 private:
  Statement& statement_;
};

/// One connection. Not thread-safe: use one per thread, or guard it with a mutex.
class Database {
 public:
  /// Opens (creating if needed) `path` in WAL mode with a busy timeout and synchronous=FULL
  /// (a 2xx answer promises the write survives a power cut, not just a process crash), then
  /// applies `migrations[i]` for every i >= the file's user_version, each in a transaction.
  Database(const std::filesystem::path& path, const std::vector<std::string>& migrations);
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  void exec(std::string_view sql);
  /// A statement cached by its SQL text and reset before it is returned: prepared once, reused.
  Statement& prepare(const std::string& sql);
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  int user_version();
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, Statement, std::less<>> statements_;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back in its destructor unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace ide::core::sqlite
