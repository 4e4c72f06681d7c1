#include "core/pg.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "core/error.hpp"

namespace ide::core::pg {

namespace {

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string trimmed(const char* message) {
  std::string text = message == nullptr ? "" : message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Schema versions live in the database itself, one row, as SQLite's user_version does.
constexpr std::string_view kVersionTable =
    "CREATE TABLE IF NOT EXISTS ide_schema_version (version INTEGER NOT NULL)";
// Held until the migration's transaction ends; the key is arbitrary but fixed ("ide" in ASCII).
constexpr std::string_view kMigrationLock = "SELECT pg_advisory_xact_lock(6906981)";

}  // namespace

std::string from_bytea(std::string_view hex) {
  if (!hex.starts_with("\\x") || hex.size() % 2 != 0) {
    throw std::runtime_error("not a BYTEA in hex form");
  }
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error("not a hex digit in a BYTEA");
  };
  std::string bytes;
  bytes.reserve(hex.size() / 2 - 1);
  for (std::size_t i = 2; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return bytes;
}

std::string text_array(const std::vector<std::string>& items, std::size_t begin, std::size_t end) {
  std::string array = "{";
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) array += ',';
    array += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') array += '\\';
      array += c;
    }
    array += '"';
  }
  return array + "}";
}

bool is_url(std::string_view store) {
  return store.starts_with("postgresql://") || store.starts_with("postgres://");
}

Connection::Connection(const std::string& url) : url_(url) { ensure_connected(); }

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void Connection::ensure_connected() {
  if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return;
  if (conn_ == nullptr) {
    conn_ = PQconnectdb(url_.c_str());
  } else {
    PQreset(conn_);
  }
  // Server notices ("already exists, skipping") are not errors and not ours to print.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  if (PQstatus(conn_) != CONNECTION_OK) {
    // Not the URL itself: it may carry a password.
    std::string message =
        fmt::format("cannot reach PostgreSQL: {}", trimmed(PQerrorMessage(conn_)));
    // Freed now: a constructor that throws runs no destructor, and the next call connects anew.
    PQfinish(conn_);
    conn_ = nullptr;
    throw StorageUnavailable(message);
  }
}

Rows Connection::exec(std::string_view sql, const std::vector<Param>& params) {
  ensure_connected();
  // libpq wants NUL-terminated text values; bytes go with their length.
  std::vector<std::string> owned;
  owned.reserve(params.size());
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const Param& param : params) {
    if (param.is_null()) {
      values.push_back(nullptr);
    } else if (param.binary) {
      values.push_back(param.data().data());
    } else {
      owned.emplace_back(param.data());
      values.push_back(owned.back().c_str());
    }
    lengths.push_back(param.is_null() ? 0 : static_cast<int>(param.data().size()));
    formats.push_back(param.binary ? 1 : 0);
  }
  const std::string text(sql);
  // Without parameters, the simple protocol: a migration may hold several statements.
  ResultPtr result(params.empty()
                       ? PQexec(conn_, text.c_str())
                       : PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr,
                                      values.data(), lengths.data(), formats.data(), 0),
                   &PQclear);
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw StorageUnavailable(
          fmt::format("lost the PostgreSQL connection: {}", trimmed(PQerrorMessage(conn_))));
    }
    const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    throw PgError(fmt::format("PostgreSQL: {}", trimmed(PQerrorMessage(conn_))),
                  state == nullptr ? "" : state);
  }
  Rows rows;
  const int count = PQntuples(result.get());
  const int fields = PQnfields(result.get());
  rows.rows.reserve(static_cast<std::size_t>(count));
  for (int r = 0; r < count; ++r) {
    auto& row = rows.rows.emplace_back();
    for (int f = 0; f < fields; ++f) {
      if (PQgetisnull(result.get(), r, f)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result.get(), r, f),
                                     static_cast<std::size_t>(PQgetlength(result.get(), r, f))));
      }
    }
  }
  const char* affected = PQcmdTuples(result.get());
  if (affected != nullptr && *affected != '\0') rows.affected = std::stoll(affected);
  return rows;
}

void Connection::migrate(const std::vector<std::string>& migrations) {
  Transaction transaction(*this);
  // Two processes starting on one database apply each migration once: the second waits here,
  // before even CREATE TABLE IF NOT EXISTS, which races with itself in PostgreSQL.
  exec(kMigrationLock);
  exec(kVersionTable);
  Rows version = exec("SELECT version FROM ide_schema_version");
  std::size_t applied = 0;
  if (version.rows.empty()) {
    exec("INSERT INTO ide_schema_version (version) VALUES (0)");
  } else {
    applied = std::stoul(*version.rows[0][0]);
  }
  if (applied > migrations.size()) {
    throw std::runtime_error(fmt::format(
        "the database's schema version {} is newer than this build knows ({}): use a newer ide",
        applied, migrations.size()));
  }
  for (std::size_t i = applied; i < migrations.size(); ++i) {
    exec(migrations[i]);
    exec("UPDATE ide_schema_version SET version = $1", {std::to_string(i + 1)});
  }
  transaction.commit();
}

std::vector<Notification> Connection::notifications(std::chrono::milliseconds timeout) {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    throw StorageUnavailable("the PostgreSQL connection that listens is lost");
  }
  const auto drain = [this] {
    std::vector<Notification> received;
    while (PGnotify* notify = PQnotifies(conn_)) {
      received.push_back({notify->relname, notify->extra});
      PQfreemem(notify);
    }
    return received;
  };
  if (PQconsumeInput(conn_) == 0) {
    throw StorageUnavailable(
        fmt::format("lost the PostgreSQL connection: {}", trimmed(PQerrorMessage(conn_))));
  }
  std::vector<Notification> received = drain();
  if (!received.empty()) return received;
  pollfd socket{.fd = PQsocket(conn_), .events = POLLIN, .revents = 0};
  if (::poll(&socket, 1, static_cast<int>(timeout.count())) <= 0) return {};
  if (PQconsumeInput(conn_) == 0) {
    throw StorageUnavailable(
        fmt::format("lost the PostgreSQL connection: {}", trimmed(PQerrorMessage(conn_))));
  }
  return drain();
}

ConnectionPool::ConnectionPool(std::string url, std::size_t size)
    : url_(std::move(url)), size_(std::max<std::size_t>(1, size)) {
  idle_.push_back(std::make_unique<Connection>(url_));
}

ConnectionPool::Lease::Lease(ConnectionPool& pool) : pool_(pool) {
  std::unique_lock lock(pool_.mutex_);
  pool_.returned_.wait(lock, [&] { return !pool_.idle_.empty() || pool_.lent_ < pool_.size_; });
  ++pool_.lent_;
  if (!pool_.idle_.empty()) {
    connection_ = std::move(pool_.idle_.back());
    pool_.idle_.pop_back();
    return;
  }
  lock.unlock();
  try {
    connection_ = std::make_unique<Connection>(pool_.url_);
  } catch (...) {
    lock.lock();
    --pool_.lent_;
    pool_.returned_.notify_one();
    throw;
  }
}

ConnectionPool::Lease::~Lease() {
  std::lock_guard lock(pool_.mutex_);
  --pool_.lent_;
  pool_.idle_.push_back(std::move(connection_));
  pool_.returned_.notify_one();
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    connection_.exec("ROLLBACK");
  } catch (...) {  // a lost connection rolls back by itself
  }
}

void Transaction::commit() {
  connection_.exec("COMMIT");
  done_ = true;
}

}  // namespace ide::core::pg
