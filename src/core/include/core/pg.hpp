// A PostgreSQL connection for the stores that live in PostgreSQL (libpq, text parameters), with
// numbered migrations per database as for SQLite. Library ide_core_pg: only stores link it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

typedef struct pg_conn PGconn;

namespace ide::core::pg {

/// The server refused a statement (a constraint, bad SQL). An unreachable database is thrown as
/// core::StorageUnavailable instead, so services answer storage_unavailable.
class PgError : public StoreError {
 public:
  PgError(const std::string& message, std::string sqlstate)
      : StoreError(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

/// One statement parameter: text (integers as decimal text), bytes for BYTEA, or NULL. Text and
/// bytes are views: they must outlive the exec() call.
struct Param {
  Param(std::string_view text) : view(text) {}    // NOLINT: parameters read as plain values
  Param(const std::string& text) : view(text) {}  // NOLINT
  Param(const char* text) : view(text) {}         // NOLINT
  Param(std::nullopt_t) {}                        // NOLINT
  /// Sent as they are (binary format): any bytes, NUL included.
  static Param bytes(std::string_view data) {
    Param param(data);
    param.binary = true;
    return param;
  }
  /// An optional integer: its decimal text (owned), or NULL.
  static Param integer(const std::optional<std::int64_t>& number) {
    Param param(std::nullopt);
    if (number) param.number = std::to_string(*number);
    return param;
  }

  static Param boolean(bool value) { return value ? "true" : "false"; }

  bool is_null() const { return !view && !number; }
  std::string_view data() const { return number ? std::string_view(*number) : *view; }

  std::optional<std::string_view> view;
  std::optional<std::string> number;
  bool binary = false;
};

/// Rows of text values (BYTEA as PostgreSQL's hex text: decode with from_bytea); NULL is nullopt.
struct Rows {
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::int64_t affected = 0;  // rows changed by INSERT, UPDATE or DELETE
};

/// The bytes of a BYTEA column read as text ("\\x" and hex digits). Throws on anything else.
std::string from_bytea(std::string_view hex);

/// A text[] literal of `items[begin, end)`, for `= ANY($1::text[])`: one statement per batch.
std::string text_array(const std::vector<std::string>& items, std::size_t begin, std::size_t end);

/// True for postgresql:// and postgres:// URLs: where a store setting names PostgreSQL.
bool is_url(std::string_view store);

/// A NOTIFY this connection LISTENs to.
struct Notification {
  std::string channel;
  std::string payload;
};

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

  /// Runs `sql` with $1.. bound to `params`; without params `sql` may hold several statements.
  Rows exec(std::string_view sql, const std::vector<Param>& params = {});

  /// Applies the `migrations` not yet applied: entry i brings the database's schema version from
  /// i to i + 1. Throws when the database is newer than `migrations`.
  void migrate(const std::vector<std::string>& migrations);

  /// The notifications of the channels this connection LISTENs to: those already received, else
  /// those that arrive within `timeout` (none when it passes). Never reconnects (a new
  /// connection would not be listening): throws StorageUnavailable when the connection is lost.
  std::vector<Notification> notifications(std::chrono::milliseconds timeout);

 private:
  void ensure_connected();

  std::string url_;
  PGconn* conn_ = nullptr;
};

/// A few connections to one database, each lent to one thread at a time: reads and writes of
/// several threads overlap instead of queueing for one connection.
class ConnectionPool {
 public:
  /// Connects the first connection at once (throws StorageUnavailable), the others on demand.
  ConnectionPool(std::string url, std::size_t size);

  /// One connection, lent until destroyed.
  class Lease {
   public:
    explicit Lease(ConnectionPool& pool);
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& db() { return *connection_; }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<Connection> connection_;
  };

 private:
  const std::string url_;
  const std::size_t size_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t lent_ = 0;
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
