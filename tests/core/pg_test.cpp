// core/pg against a real throwaway PostgreSQL cluster: bytes of every value through BYTEA, text
// arrays with quotes, migrations applied once even by two connections at once, a database newer
// than the build refused, and an unreachable server reported as StorageUnavailable.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/pg.hpp"
#include "support/postgres.hpp"

using ide::core::pg::Connection;
using ide::core::pg::Param;

TEST_CASE("bytes of every value survive a BYTEA round trip", "[core][pg]") {
  Connection db(ide::test::new_postgres_database());
  db.exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BYTEA NOT NULL)");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::vector<std::string> values = {"", std::string("\0", 1), all, all + all};
  for (std::size_t i = 0; i < values.size(); ++i) {
    db.exec("INSERT INTO blobs (id, data) VALUES ($1, $2)",
            {Param::integer(static_cast<std::int64_t>(i)), Param::bytes(values[i])});
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto rows = db.exec("SELECT data FROM blobs WHERE id = $1",
                        {Param::integer(static_cast<std::int64_t>(i))});
    REQUIRE(rows.rows.size() == 1);
    CHECK(ide::core::pg::from_bytea(*rows.rows[0][0]) == values[i]);
  }
  CHECK_THROWS(ide::core::pg::from_bytea("abc"));
  CHECK(db.exec("SELECT NULL::text", {}).rows[0][0] == std::nullopt);
  CHECK(db.exec("SELECT $1::bigint", {Param::integer(std::nullopt)}).rows[0][0] == std::nullopt);
}

TEST_CASE("text arrays carry quotes and backslashes", "[core][pg]") {
  Connection db(ide::test::new_postgres_database());
  const std::vector<std::string> items = {"plain", "with \"quote\"", "back\\slash", "a,b", "skip"};
  const std::string array = ide::core::pg::text_array(items, 0, 4);
  auto rows = db.exec("SELECT unnest($1::text[])", {array});
  REQUIRE(rows.rows.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(rows.rows[i][0] == items[i]);
  CHECK(db.exec("SELECT cardinality($1::text[])", {ide::core::pg::text_array(items, 2, 2)})
            .rows[0][0] == "0");
}

TEST_CASE("migrations run once, also when two connections start together", "[core][pg]") {
  const std::string url = ide::test::new_postgres_database();
  const std::vector<std::string> migrations = {
      "CREATE TABLE counted (n INTEGER); INSERT INTO counted VALUES (1)",
      "INSERT INTO counted VALUES (2)"};
  std::atomic<int> failed{0};
  std::vector<std::thread> starters;
  for (int i = 0; i < 4; ++i) {
    starters.emplace_back([&] {
      try {
        Connection(url).migrate(migrations);
      } catch (const std::exception&) {
        ++failed;
      }
    });
  }
  for (auto& starter : starters) starter.join();
  CHECK(failed == 0);
  Connection db(url);
  CHECK(db.exec("SELECT count(*) FROM counted").rows[0][0] == "2");
  CHECK(db.exec("SELECT version FROM ide_schema_version").rows[0][0] == "2");
  // A later build appends; this one is older than the database now.
  Connection(url).migrate({migrations[0], migrations[1], "INSERT INTO counted VALUES (3)"});
  CHECK(db.exec("SELECT count(*) FROM counted").rows[0][0] == "3");
  CHECK_THROWS_WITH(Connection(url).migrate(migrations), Catch::Contains("newer"));
}

TEST_CASE("a refused statement is a PgError with its SQLSTATE", "[core][pg]") {
  Connection db(ide::test::new_postgres_database());
  db.exec("CREATE TABLE once (k TEXT PRIMARY KEY)");
  db.exec("INSERT INTO once VALUES ($1)", {"a"});
  try {
    db.exec("INSERT INTO once VALUES ($1)", {"a"});
    FAIL("a duplicate key was accepted");
  } catch (const ide::core::pg::PgError& e) {
    CHECK(e.sqlstate() == "23505");  // unique_violation
    CHECK(ide::core::store_error(e, "test").code == ide::core::ErrorCode::internal);
  }
  // The connection is still usable.
  CHECK(db.exec("SELECT count(*) FROM once").rows[0][0] == "1");
}

TEST_CASE("an unreachable server is StorageUnavailable: storage_unavailable for the caller",
          "[core][pg]") {
  try {
    Connection unreachable("postgresql://ide@127.0.0.1:1/none?connect_timeout=5");
    FAIL("connected to port 1");
  } catch (const ide::core::StorageUnavailable& e) {
    CHECK(ide::core::store_error(e, "test").code == ide::core::ErrorCode::storage_unavailable);
  }
  CHECK(ide::core::pg::is_url("postgresql://x"));
  CHECK(ide::core::pg::is_url("postgres://x"));
  CHECK_FALSE(ide::core::pg::is_url(""));
  CHECK_FALSE(ide::core::pg::is_url("data/urls.db"));
}
