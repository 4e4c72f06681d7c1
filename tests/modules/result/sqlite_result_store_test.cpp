// SqliteResultStore on a real results.db: outputs compressed transparently (much smaller file,
// byte-exact round trip), incompressible, empty and small outputs, rows of the previous schema
// still readable after the upgrade, a corrupt compressed blob reported as an error, a bounded
// -wal after many seed-sized results, and concurrent readers.
#include "sqlite_result_store.hpp"

#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/sqlite.hpp"
#include "support/stored_bytes.hpp"
#include "support/temp_dir.hpp"
#include "support/test_outcomes.hpp"

using ide::result::RunResult;
using ide::result::SqliteResultStore;
using ide::result::Status;
using ide::result::Verdict;

namespace {

constexpr std::size_t kSeedOutputBytes = 1536 * 1024;

RunResult run_result(const std::string& id, std::string stdout_data, std::string stderr_data = {},
                     std::string compile_output = {}) {
  RunResult result;
  result.id = id;
  result.status = Status::done;
  result.verdict = Verdict::ok;
  result.exit_code = 0;
  result.stdout_data = std::move(stdout_data);
  result.stderr_data = std::move(stderr_data);
  result.compile_output = std::move(compile_output);
  result.time_ms = 12;
  result.finished_at = ide::core::from_unix_ms(5000);
  return result;
}

void store_result(SqliteResultStore& store, const RunResult& result) {
  REQUIRE(store.enqueue(result.id, 1000, 1000) == ide::result::EnqueueOutcome::added);
  REQUIRE(store.claim("worker", 2000, std::chrono::seconds(30))->id == result.id);
  store.finish(result);
}

// results.db as the previous release left it: migration 1 only.
const std::vector<std::string> kSchemaVersion1 = {R"sql(
    CREATE TABLE jobs (
      submission_id  TEXT PRIMARY KEY,
      state          TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
      enqueued_at_ms INTEGER NOT NULL,
      started_at_ms  INTEGER,
      attempts       INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX jobs_by_state ON jobs (state, enqueued_at_ms);
    CREATE TABLE results (
      submission_id    TEXT PRIMARY KEY,
      verdict          TEXT NOT NULL,
      exit_code        INTEGER,
      signal           INTEGER,
      stdout           BLOB NOT NULL,
      stderr           BLOB NOT NULL,
      compile_output   BLOB NOT NULL,
      time_ms          INTEGER NOT NULL,
      wall_ms          INTEGER NOT NULL,
      memory_kb        INTEGER NOT NULL,
      stdout_truncated INTEGER NOT NULL,
      stderr_truncated INTEGER NOT NULL,
      finished_at_ms   INTEGER NOT NULL
    );
    )sql"};

}  // namespace

TEST_CASE("large text outputs are stored compressed and read back byte-exact", "[result][store]") {
  ide::test::TempDir dir;
  const std::string out = ide::test::seed_text(kSeedOutputBytes, 1);
  const std::string err = ide::test::seed_text(20'000, 2);
  const std::string compiled = ide::test::seed_text(5'000, 3);
  {
    SqliteResultStore store(dir / "results.db");
    store_result(store, run_result("a", out, err, compiled));
    const auto read = store.find_result("a");
    REQUIRE(read);
    CHECK(read->stdout_data == out);
    CHECK(read->stderr_data == err);
    CHECK(read->compile_output == compiled);
  }
  CHECK(ide::test::db_bytes(dir / "results.db") < out.size() / 2);
  SqliteResultStore reopened(dir / "results.db");
  CHECK(reopened.find_result("a")->stdout_data == out);
}

TEST_CASE("incompressible, empty and small outputs round-trip", "[result][store]") {
  ide::test::TempDir dir;
  SqliteResultStore store(dir / "results.db");
  const std::string noise = ide::test::random_bytes(300'000, 4);
  store_result(store, run_result("noise", noise, std::string("\0\xff", 2)));
  store_result(store, run_result("empty", ""));
  store_result(store, run_result("small", "hello\n", "warn\n", "cc: ok\n"));
  CHECK(store.find_result("noise")->stdout_data == noise);
  CHECK(store.find_result("noise")->stderr_data == std::string("\0\xff", 2));
  const auto empty = store.find_result("empty");
  REQUIRE(empty);
  CHECK(empty->stdout_data.empty());
  CHECK(empty->stderr_data.empty());
  const auto small = store.find_result("small");
  CHECK(small->stdout_data == "hello\n");
  CHECK(small->stderr_data == "warn\n");
  CHECK(small->compile_output == "cc: ok\n");
}

TEST_CASE("results written by the previous schema are read after the upgrade", "[result][store]") {
  ide::test::TempDir dir;
  const std::string out = ide::test::seed_text(100'000, 5);
  {
    ide::core::sqlite::Database old(dir / "results.db", kSchemaVersion1);
    old.prepare("INSERT INTO jobs VALUES ('old', 'done', 1000, 2000, 0)").run();
    old.prepare("INSERT INTO results VALUES ('old', 'ok', 0, NULL, ?, ?, '', 7, 8, 9, 0, 0, 3000)")
        .bind_blob(1, out)
        .bind_blob(2, "raw stderr")
        .run();
  }
  SqliteResultStore store(dir / "results.db");
  const auto read = store.find_result("old");
  REQUIRE(read);
  CHECK(read->stdout_data == out);
  CHECK(read->stderr_data == "raw stderr");
  CHECK(read->time_ms == 7);
  CHECK(read->tests.empty());
  // New rows in the same file are compressed beside the old raw one, and keep their tests.
  RunResult tested = run_result("new", out);
  tested.tests = ide::test::sample_test_outcomes();
  store_result(store, tested);
  CHECK(store.find_result("new")->stdout_data == out);
  ide::test::check_same_outcomes(store.find_result("new")->tests, tested.tests);
  CHECK(store.find_result("old")->stdout_data == out);
}

TEST_CASE("a corrupt compressed output is an error, not a crash", "[result][store]") {
  ide::test::TempDir dir;
  SqliteResultStore store(dir / "results.db");
  store_result(store, run_result("a", ide::test::seed_text(200'000, 6)));
  store_result(store, run_result("b", ide::test::seed_text(200'000, 7)));
  {
    ide::core::sqlite::Database raw(dir / "results.db", {});
    // A flipped byte in the middle of the frame, and a frame header claiming 2^40 bytes.
    raw.prepare(
           "UPDATE results SET stdout = substr(stdout, 1, 5000) || x'00' || "
           "substr(stdout, 5002) WHERE submission_id = 'a'")
        .run();
    raw.prepare(
           "UPDATE results SET stdout = x'28B52FFDE00000000000010000' WHERE "
           "submission_id = 'b'")
        .run();
  }
  CHECK_THROWS_AS(store.find_result("a"), std::runtime_error);
  CHECK_THROWS_AS(store.find_result("b"), std::runtime_error);
}

TEST_CASE("corrupt test outcomes are an error, not a crash", "[result][store]") {
  ide::test::TempDir dir;
  SqliteResultStore store(dir / "results.db");
  for (const char* id : {"not-json", "unknown-verdict", "no-name"}) {
    RunResult result = run_result(id, "out");
    result.tests = ide::test::sample_test_outcomes();
    store_result(store, result);
  }
  {
    ide::core::sqlite::Database raw(dir / "results.db", {});
    raw.prepare("UPDATE results SET tests = '[{' WHERE submission_id = 'not-json'").run();
    raw.prepare(
           "UPDATE results SET tests = replace(tests, '\"wrong_answer\"', '\"passed\"') "
           "WHERE submission_id = 'unknown-verdict'")
        .run();
    raw.prepare(
           "UPDATE results SET tests = replace(tests, '\"name\"', '\"nom\"') "
           "WHERE submission_id = 'no-name'")
        .run();
  }
  CHECK_THROWS_WITH(store.find_result("not-json"), Catch::Contains("test outcomes"));
  CHECK_THROWS_WITH(store.find_result("unknown-verdict"), Catch::Contains("'passed'"));
  CHECK_THROWS_AS(store.find_result("no-name"), std::runtime_error);
}

TEST_CASE("seed-sized results take at most 1.25x their zstd -3 size and the wal stays bounded",
          "[result][store]") {
  ide::test::TempDir dir;
  const std::filesystem::path file = dir / "results.db";
  std::size_t reference = 0;
  std::uintmax_t max_wal = 0;
  constexpr int kResults = 24;
  {
    SqliteResultStore store(file);
    for (int i = 0; i < kResults; ++i) {
      const std::string out = ide::test::seed_text(kSeedOutputBytes, 100 + i);
      reference += ide::test::zstd3_size(out);
      store_result(store, run_result("r" + std::to_string(i), out));
      max_wal = std::max(max_wal, ide::test::wal_bytes(file));
    }
  }
  // The -wal is truncated back to journal_size_limit at each reset, not kept at its peak.
  CHECK(max_wal < 8u * 1024 * 1024);
  // Closing checkpoints the -wal away: what is left is the steady cost per result.
  const double ratio = static_cast<double>(ide::test::db_bytes(file)) / reference;
  INFO("results.db bytes / zstd -3 bytes = " << ratio);
  CHECK(ratio <= 1.25);
}

TEST_CASE("concurrent readers each get their own result, right", "[result][store]") {
  ide::test::TempDir dir;
  SqliteResultStore store(dir / "results.db");
  std::vector<std::string> outputs;
  for (int i = 0; i < 6; ++i) {
    outputs.push_back(ide::test::seed_text(50'000 + i * 1000, 200 + i));
    store_result(store, run_result("id" + std::to_string(i), outputs.back()));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (int round = 0; round < 30; ++round) {
        const int i = (t + round) % 6;
        const auto read = store.find_result("id" + std::to_string(i));
        if (!read || read->stdout_data != outputs[static_cast<std::size_t>(i)]) ++wrong;
        if (!store.find_job("id" + std::to_string(i))) ++wrong;
      }
    });
  }
  // A writer beside them: WAL lets readers and the writer overlap.
  store_result(store, run_result("late", outputs[0]));
  for (std::thread& reader : readers) reader.join();
  CHECK(wrong == 0);
  CHECK(store.find_result("late")->stdout_data == outputs[0]);
}
