// A small RAII layer over SQLite: connections, reusable prepared statements, transactions that
// roll back unless committed, and numbered migrations kept in PRAGMA user_version.
//
// Errors throw SqliteError (an object is valid from construction to destruction, SQLiteCpp
// style); a module's service catches at its boundary and returns a core::Result.
#pragma once

#include <cstdint>
#include <filesystem>
#include <condition_variable>
#include <map>
#include <mutex>
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

class SqliteError : public StoreError {
 public:
  SqliteError(int code, const std::string& what) : StoreError(what), code_(code) {}
  /// The primary SQLite result code (SQLITE_FULL, SQLITE_READONLY, ...).
  int code() const { return code_; }
  /// True when the disk is full, read-only or failing: the caller should answer
  /// storage_unavailable rather than internal.
  bool is_storage_fault() const override;

 private:
  int code_;
};

/// Creates `dir` (and its parents) for a module's database. Errors: storage_unavailable.
Result<void> create_data_dir(const std::filesystem::path& dir);

/// A prepared statement. Bind indexes start at 1, column indexes at 0. Not thread-safe.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  // Text and blobs are bound without a copy (SQLITE_STATIC): the bytes must stay valid until the
  // statement is reset, so bind and run (or step, under a ResetOnExit) in the same scope.
  Statement& bind(int index, std::string_view text);        // stored as TEXT
  Statement& bind_blob(int index, std::string_view bytes);  // stored as BLOB
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
  /// TEXT or BLOB column in SQLite's own buffer: valid until the next step or reset.
  std::string_view column_view(int column) const;

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

/// Up to `max_readers` read connections to one file, opened on first need and reused, so that
/// reads run beside each other and beside the writer (WAL) instead of queueing on one connection.
/// Thread-safe. The file must already exist with its schema (the writer migrates it).
class ReaderPool {
 public:
  ReaderPool(std::filesystem::path path, std::size_t max_readers);
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  /// A connection borrowed from the pool (waiting while all are in use), given back when the
  /// lease ends.
  class Lease {
   public:
    explicit Lease(ReaderPool& pool);
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Database& db() { return *db_; }

   private:
    ReaderPool& pool_;
    std::unique_ptr<Database> db_;
  };

 private:
  std::filesystem::path path_;
  std::size_t max_readers_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Database>> idle_;
  std::size_t open_ = 0;
};

/// How a blob column is stored, kept in the row next to it (its codec column).
enum class Codec : std::int64_t { raw = 0, zstd = 1 };

/// A blob about to be stored: a zstd frame when that pays, else the caller's bytes unchanged.
/// Built before taking a writer's lock, so that compressing never holds it. Views `raw`: it must
/// outlive this object.
class EncodedBlob {
 public:
  /// Blobs shorter than this stay raw: the few bytes saved do not pay for the work.
  static constexpr std::size_t kMinCompressedBytes = 1024;
  /// zstd level 2, measured on 1.5 MB of the seed's text: 1.06x level 3's size at 2/3 of its
  /// CPU (9.6 ms vs 14.2 ms); level 1 is 1.22x the size, too close to the 1.25x target.
  static constexpr int kLevel = 2;

  explicit EncodedBlob(std::string_view raw);
  EncodedBlob(const EncodedBlob&) = delete;
  EncodedBlob& operator=(const EncodedBlob&) = delete;

  /// What to bind: the frame, or the raw bytes.
  std::string_view bytes() const { return codec_ == Codec::zstd ? compressed_ : raw_; }
  std::int64_t codec() const { return static_cast<std::int64_t>(codec_); }

 private:
  std::string_view raw_;
  std::string compressed_;
  Codec codec_ = Codec::raw;
};

/// The value of a blob stored as `stored` with codec column `codec`, decoded straight from the
/// column's buffer (one copy). Throws std::runtime_error for an unknown codec or a corrupt frame.
std::string decode_blob(std::string_view stored, std::int64_t codec);

/// For its lifetime, commits on `db` skip their fsync (synchronous=NORMAL: in WAL mode a commit
/// then survives a process crash, and a power cut may lose it, but never half of it or a commit
/// made before). Only for writes whose loss is repaired at restart; say why at each use.
class RelaxedSync {
 public:
  explicit RelaxedSync(Database& db);
  RelaxedSync(const RelaxedSync&) = delete;
  RelaxedSync& operator=(const RelaxedSync&) = delete;
  ~RelaxedSync();

 private:
  Database& db_;
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
