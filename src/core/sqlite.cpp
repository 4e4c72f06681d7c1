#include "core/sqlite.hpp"

#include "core/compression.hpp"

#include <sqlite3.h>

#include <cassert>
#include <fmt/format.h>

namespace ide::core::sqlite {

namespace {

[[noreturn]] void throw_error(sqlite3* db, int code, std::string_view context) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw SqliteError(code & 0xFF, fmt::format("{}: {}", context, detail));
}

void check(sqlite3* db, int code, std::string_view context) {
  if (code != SQLITE_OK) throw_error(db, code, context);
}

}  // namespace

bool SqliteError::is_storage_fault() const {
  return code_ == SQLITE_FULL || code_ == SQLITE_READONLY || code_ == SQLITE_IOERR ||
         code_ == SQLITE_CANTOPEN || code_ == SQLITE_BUSY || code_ == SQLITE_LOCKED ||
         code_ == SQLITE_PERM;
}

Result<void> create_data_dir(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (!error) return {};
  return fail(ErrorCode::storage_unavailable, fmt::format("Cannot create the data directory {}: {}",
                                                          dir.string(), error.message()));
}

// --- Statement ---

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  check(db, sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr),
        "prepare");
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
  check(db_, sqlite3_bind_int64(stmt_, index, value), "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  check(db_, sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC,
                                 SQLITE_UTF8),
        "bind");
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob must not be bound as NULL.
  static const char kEmpty = 0;
  check(db_, sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &kEmpty : bytes.data(),
                                 bytes.size(), SQLITE_STATIC),
        "bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  check(db_, sqlite3_bind_null(stmt_, index), "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

bool Statement::step() {
  const int code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  // Leave the statement reusable after a failed step.
  sqlite3_reset(stmt_);
  throw_error(db_, code, "step");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::optional<std::int64_t> Statement::column_optional_int(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_int(column);
}

std::string Statement::column_text(int column) const { return std::string(column_view(column)); }

std::string_view Statement::column_view(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return {};
  return {static_cast<const char*>(data), static_cast<std::size_t>(size)};
}

// --- Stored blobs ---

EncodedBlob::EncodedBlob(std::string_view raw) : raw_(raw) {
  if (raw.size() < kMinCompressedBytes || raw.size() > compression::kMaxBlobBytes) return;
  std::string frame = compression::compress(raw, kLevel);
  // Incompressible data (already compressed, random) stays raw rather than grow.
  if (frame.size() >= raw.size()) return;
  compressed_ = std::move(frame);
  codec_ = Codec::zstd;
}

std::string decode_blob(std::string_view stored, std::int64_t codec) {
  switch (static_cast<Codec>(codec)) {
    case Codec::raw:
      return std::string(stored);
    case Codec::zstd:
      return compression::decompress(stored, compression::kMaxBlobBytes);
  }
  throw std::runtime_error(fmt::format("unknown blob codec {}", codec));
}

// --- Database ---

Database::Database(const std::filesystem::path& path, const std::vector<std::string>& migrations) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int code = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (code != SQLITE_OK) {
    const std::string message = fmt::format("open {}: {}", path.string(), sqlite3_errstr(code));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqliteError(code & 0xFF, message);
  }
  sqlite3_extended_result_codes(db_, 0);
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=ON");
  // A checkpoint that resets the WAL truncates it to this size, so one burst of multi-megabyte
  // writes does not leave the file at its high-water mark for good.
  exec("PRAGMA journal_size_limit=4194304");
  const int version = user_version();
  for (std::size_t i = static_cast<std::size_t>(version); i < migrations.size(); ++i) {
    Transaction transaction(*this);
    exec(migrations[i]);
    exec(fmt::format("PRAGMA user_version={}", i + 1));
    transaction.commit();
  }
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), statements_(std::move(other.statements_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    statements_.clear();
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    statements_ = std::move(other.statements_);
  }
  return *this;
}

Database::~Database() {
  statements_.clear();
  sqlite3_close_v2(db_);
}

void Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int code = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (code != SQLITE_OK) {
    const std::string detail = message != nullptr ? message : sqlite3_errstr(code);
    sqlite3_free(message);
    throw SqliteError(code & 0xFF, fmt::format("exec: {}", detail));
  }
}

Statement& Database::prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) it = statements_.emplace(sql, Statement(db_, sql)).first;
  it->second.reset();
  return it->second;
}

std::int64_t Database::changes() const { return sqlite3_changes64(db_); }

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int Database::user_version() {
  Statement& statement = prepare("PRAGMA user_version");
  statement.step();
  const int version = static_cast<int>(statement.column_int(0));
  statement.reset();
  return version;
}

// --- ReaderPool ---

ReaderPool::ReaderPool(std::filesystem::path path, std::size_t max_readers)
    : path_(std::move(path)), max_readers_(max_readers == 0 ? 1 : max_readers) {}

ReaderPool::Lease::Lease(ReaderPool& pool) : pool_(pool) {
  std::unique_lock lock(pool_.mutex_);
  pool_.returned_.wait(lock,
                       [this] { return !pool_.idle_.empty() || pool_.open_ < pool_.max_readers_; });
  if (!pool_.idle_.empty()) {
    db_ = std::move(pool_.idle_.back());
    pool_.idle_.pop_back();
    return;
  }
  ++pool_.open_;
  lock.unlock();
  try {
    // The writer already migrated the file; this only opens it.
    db_ = std::make_unique<Database>(pool_.path_, std::vector<std::string>{});
  } catch (...) {
    lock.lock();
    --pool_.open_;
    pool_.returned_.notify_one();
    throw;
  }
}

ReaderPool::Lease::~Lease() {
  {
    std::lock_guard lock(pool_.mutex_);
    pool_.idle_.push_back(std::move(db_));
  }
  pool_.returned_.notify_one();
}

// --- RelaxedSync ---

RelaxedSync::RelaxedSync(Database& db) : db_(db) { db_.exec("PRAGMA synchronous=NORMAL"); }

RelaxedSync::~RelaxedSync() {
  try {
    db_.exec("PRAGMA synchronous=FULL");
  } catch (const SqliteError&) {
    // Setting a pragma does no I/O; should it fail anyway, the next commits are only less synced.
  }
}

// --- Transaction ---

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (const SqliteError&) {
      // SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing left to undo.
    }
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace ide::core::sqlite
