// The SQLite layer on real files: migrations by user_version, WAL, byte-exact blobs,
// transactions that roll back unless committed, reused statements, storage-fault mapping.
#include "core/sqlite.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "support/temp_dir.hpp"

using ide::core::sqlite::Database;
using ide::core::sqlite::SqliteError;
using ide::core::sqlite::Transaction;

namespace {
const std::vector<std::string> kMigrations = {
    "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)",
    "ALTER TABLE t ADD COLUMN note TEXT",
};
}

TEST_CASE("migrations run once, in order, and set user_version", "[core][sqlite]") {
  ide::test::TempDir dir;
  {
    Database db(dir / "a.db", {kMigrations[0]});
    CHECK(db.user_version() == 1);
  }
  Database db(dir / "a.db", kMigrations);
  CHECK(db.user_version() == 2);
  db.prepare("INSERT INTO t (body, note) VALUES (?, ?)").bind_blob(1, "x").bind(2, "n").run();
  Database again(dir / "a.db", kMigrations);
  CHECK(again.user_version() == 2);
}

TEST_CASE("the journal is WAL", "[core][sqlite]") {
  ide::test::TempDir dir;
  Database db(dir / "a.db", kMigrations);
  auto& statement = db.prepare("PRAGMA journal_mode");
  REQUIRE(statement.step());
  CHECK(statement.column_text(0) == "wal");
}

TEST_CASE("blobs round-trip byte-exact, NULs and invalid UTF-8 included", "[core][sqlite]") {
  ide::test::TempDir dir;
  Database db(dir / "a.db", kMigrations);
  const std::string bytes("a\0b\xff\xfe\n", 6);
  db.prepare("INSERT INTO t (id, body) VALUES (1, ?)").bind_blob(1, bytes).run();
  db.prepare("INSERT INTO t (id, body) VALUES (2, ?)").bind_blob(1, "").run();
  auto& select = db.prepare("SELECT body FROM t WHERE id = ?");
  select.bind(1, std::int64_t{1});
  REQUIRE(select.step());
  CHECK(select.column_text(0) == bytes);
  select.reset();
  select.bind(1, std::int64_t{2});
  REQUIRE(select.step());
  CHECK_FALSE(select.is_null(0));
  CHECK(select.column_text(0).empty());
}

TEST_CASE("a transaction rolls back unless committed", "[core][sqlite]") {
  ide::test::TempDir dir;
  Database db(dir / "a.db", kMigrations);
  {
    Transaction transaction(db);
    db.prepare("INSERT INTO t (body) VALUES ('lost')").run();
  }
  {
    Transaction transaction(db);
    db.prepare("INSERT INTO t (body) VALUES ('kept')").run();
    transaction.commit();
  }
  auto& count = db.prepare("SELECT group_concat(body) FROM t");
  REQUIRE(count.step());
  CHECK(count.column_text(0) == "kept");
}

TEST_CASE("prepare returns the same statement for the same SQL", "[core][sqlite]") {
  ide::test::TempDir dir;
  Database db(dir / "a.db", kMigrations);
  auto* first = &db.prepare("SELECT 1");
  auto* second = &db.prepare("SELECT 1");
  CHECK(first == second);
}

TEST_CASE("errors throw SqliteError, read-only files map to storage faults", "[core][sqlite]") {
  ide::test::TempDir dir;
  Database db(dir / "a.db", kMigrations);
  CHECK_THROWS_AS(db.exec("SELECT * FROM missing"), SqliteError);
  try {
    db.exec("SELECT * FROM missing");
  } catch (const SqliteError& e) {
    CHECK_FALSE(e.is_storage_fault());
    CHECK(ide::core::store_error(e, "test").code == ide::core::ErrorCode::internal);
  }
  const SqliteError full(SQLITE_FULL, "disk full");
  CHECK(full.is_storage_fault());
  CHECK(ide::core::store_error(full, "test").code == ide::core::ErrorCode::storage_unavailable);
}

TEST_CASE("a reader pool lends distinct connections and reuses returned ones", "[core][sqlite]") {
  ide::test::TempDir dir;
  Database writer(dir / "a.db", kMigrations);
  writer.prepare("INSERT INTO t (id, body) VALUES (1, 'x')").run();
  ide::core::sqlite::ReaderPool pool(dir / "a.db", 2);
  Database* first = nullptr;
  {
    ide::core::sqlite::ReaderPool::Lease a(pool);
    ide::core::sqlite::ReaderPool::Lease b(pool);
    CHECK(&a.db() != &b.db());
    first = &a.db();
    auto& select = b.db().prepare("SELECT body FROM t WHERE id = 1");
    REQUIRE(select.step());
    CHECK(select.column_text(0) == "x");
    select.reset();
  }
  ide::core::sqlite::ReaderPool::Lease again(pool);
  ide::core::sqlite::ReaderPool::Lease other(pool);
  CHECK((&again.db() == first || &other.db() == first));
}

TEST_CASE("a full reader pool makes the next lease wait for a returned one", "[core][sqlite]") {
  ide::test::TempDir dir;
  Database writer(dir / "a.db", kMigrations);
  ide::core::sqlite::ReaderPool pool(dir / "a.db", 1);
  std::atomic<bool> leased{false};
  std::thread waiter;
  {
    ide::core::sqlite::ReaderPool::Lease only(pool);
    waiter = std::thread([&] {
      ide::core::sqlite::ReaderPool::Lease next(pool);
      leased = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_FALSE(leased);
  }
  waiter.join();
  CHECK(leased);
}

TEST_CASE("RelaxedSync lowers synchronous for its scope only", "[core][sqlite]") {
  ide::test::TempDir dir;
  Database db(dir / "a.db", kMigrations);
  auto synchronous = [&db] {
    auto& pragma = db.prepare("PRAGMA synchronous");
    REQUIRE(pragma.step());
    const std::int64_t level = pragma.column_int(0);
    pragma.reset();
    return level;
  };
  CHECK(synchronous() == 2);  // FULL
  {
    ide::core::sqlite::RelaxedSync relaxed(db);
    CHECK(synchronous() == 1);  // NORMAL
    db.prepare("INSERT INTO t (id, body) VALUES (1, 'x')").run();
  }
  CHECK(synchronous() == 2);
  Database reopened(dir / "a.db", kMigrations);
  auto& count = reopened.prepare("SELECT COUNT(*) FROM t");
  REQUIRE(count.step());
  CHECK(count.column_int(0) == 1);
  count.reset();
}
