// A PostgreSQL connection for the stores that live in PostgreSQL (libpq, text parameters), with
// numbered migrations per database as for SQLite. Library ide_core_pg: only stores link it.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

typedef struct pg_conn PGconn;

namespace ide::core::pg {

/// The server refused a statement (a constraint, bad SQL). An unreachable database is thrown as
/// core::StorageUnavailable instead, so services answer storage_unavailable.
class PgError : public std::runtime_error {
 public:
  PgError(const std::string& message, std::string sqlstate)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

/// Rows of text values; a NULL is nullopt.
struct Rows {
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::int64_t affected = 0;  // rows changed by INSERT, UPDATE or DELETE
};

/// True for postgresql:// and postgres:// URLs: where a store setting names PostgreSQL.
bool is_url(std::string_view store);

/// One connection, used by one thread at a time (callers hold a mutex). Reconnects once when
/// the connection was lost before a statement.
class Connection {
 public:
  /// Connects to `url` (libpq's URI form). Throws StorageUnavailable when the server cannot be
  /// reached.
  explicit Connection(const std::string& url);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  /// Runs `sql` with $1.. bound to `params` (text; nullopt is NULL).
  Rows exec(std::string_view sql, const std::vector<std::optional<std::string_view>>& params = {});

  /// Applies the `migrations` not yet applied: entry i brings the database's schema version from
  /// i to i + 1. Throws when the database is newer than `migrations`.
  void migrate(const std::vector<std::string>& migrations);

 private:
  void ensure_connected();

  std::string url_;
  PGconn* conn_ = nullptr;
};

/// BEGIN on construction; ROLLBACK unless commit() ran.
class Transaction {
 public:
  explicit Transaction(Connection& connection) : connection_(connection) {
    connection_.exec("BEGIN");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

}  // namespace ide::core::pg
