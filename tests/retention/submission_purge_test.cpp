// The submission module's retention calls on real submissions.db files and on PostgreSQL:
// list_created_before (oldest first, only before the cutoff, paged by a cursor that skips ids the
// caller kept, malformed cursors refused), purge (exactly the given ids, durable, unknown ids
// ignored, a purged id's pending hand-off forgotten), and the upgrade of a file made before the
// index.
#include <sqlite3.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "module_options.hpp"
#include "core/ids.hpp"
#include "submission/module.hpp"
#include "support/fakes/fake_clock.hpp"
#include "support/fakes/fake_result_service.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using ide::core::ErrorCode;
using ide::submission::SubmissionService;

namespace {

struct Fixture {
  ide::test::TempDir dir;
  ide::core::Config config;
  ide::test::FakeResultService results;
  ide::test::FakeClock clock;
  ide::core::RandomIdGenerator ids;
  std::unique_ptr<SubmissionService> service;

  /// On SQLite, or on a fresh database of the test process's PostgreSQL cluster.
  explicit Fixture(bool on_postgres = false) {
    config.data_dir = dir / "data";
    if (on_postgres) config.submission_store = ide::test::new_postgres_database();
    open();
  }

  void open() {
    service.reset();
    auto made = ide::submission::make_submission_service(ide::app::submission_options(config),
                                                         results, clock, ids);
    REQUIRE(made.has_value());
    service = std::move(made).value();
  }

  /// Submits at the clock's current time, then moves the clock on by `step`.
  std::string submit(std::chrono::milliseconds step = 1000ms) {
    auto id = service->submit_code(
        {.language = "bash", .code = "echo hi", .stdin_data = "", .limits = {}});
    REQUIRE(id.has_value());
    clock.advance(step);
    return *id;
  }

  bool stored(const std::string& id) {
    auto found = service->get(id);
    if (found) return true;
    REQUIRE(found.error().code == ErrorCode::not_found);
    return false;
  }

  /// Every id before `cutoff`, page by page.
  std::vector<std::string> list_all(ide::core::TimePoint cutoff, std::size_t limit) {
    std::vector<std::string> all;
    std::string after;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = service->list_created_before(cutoff, limit, after);
      REQUIRE(page.has_value());
      CHECK(page->ids.size() <= limit);
      all.insert(all.end(), page->ids.begin(), page->ids.end());
      if (page->next.empty()) return all;
      after = page->next;
    }
    FAIL("the listing never ended");
    return all;
  }
};

}  // namespace

TEST_CASE("list_created_before gives the old ids oldest first, in pages",
          "[retention][submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  const auto t0 = f.clock.now();
  std::vector<std::string> old;
  for (int i = 0; i < 7; ++i) old.push_back(f.submit());
  const auto cutoff = f.clock.now();
  const std::string fresh = f.submit();

  CHECK(f.list_all(cutoff, 100) == old);
  CHECK(f.list_all(cutoff, 3) == old);
  CHECK(f.list_all(cutoff, 1) == old);
  CHECK(f.list_all(cutoff, 7) == old);
  CHECK(f.list_all(t0, 10).empty());
  CHECK(f.list_all(f.clock.now(), 100).back() == fresh);

  SECTION("a full page says where to go on; the last short page says nothing") {
    auto first = f.service->list_created_before(cutoff, 4, "");
    REQUIRE(first);
    CHECK(first->ids == std::vector<std::string>(old.begin(), old.begin() + 4));
    REQUIRE_FALSE(first->next.empty());
    auto second = f.service->list_created_before(cutoff, 4, first->next);
    REQUIRE(second);
    CHECK(second->ids == std::vector<std::string>(old.begin() + 4, old.end()));
    CHECK(second->next.empty());
  }

  SECTION("the cursor goes past ids the caller kept, and past ids that were purged meanwhile") {
    auto first = f.service->list_created_before(cutoff, 3, "");
    REQUIRE(first);
    // The caller purges the first and third and keeps the second.
    auto purged = f.service->purge({first->ids[0], first->ids[2]});
    REQUIRE(purged);
    CHECK(*purged == 2);
    auto second = f.service->list_created_before(cutoff, 3, first->next);
    REQUIRE(second);
    CHECK(second->ids == std::vector<std::string>(old.begin() + 3, old.begin() + 6));
  }

  SECTION("a zero limit lists nothing") {
    auto page = f.service->list_created_before(cutoff, 0, "");
    REQUIRE(page);
    CHECK(page->ids.empty());
    CHECK(page->next.empty());
  }

  SECTION("malformed cursors are refused") {
    for (const std::string bad : {"x", "12", ".abc", "12.short", "1x.AAAAAAAAAAAAAAAAAAAAAA"}) {
      INFO(bad);
      auto page = f.service->list_created_before(cutoff, 3, bad);
      REQUIRE_FALSE(page);
      CHECK(page.error().code == ErrorCode::invalid_argument);
    }
  }
}

TEST_CASE("submissions created in the same millisecond are each listed once",
          "[retention][submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  std::vector<std::string> same_time;
  for (int i = 0; i < 9; ++i) same_time.push_back(f.submit(0ms));
  f.clock.advance(1ms);
  std::vector<std::string> listed = f.list_all(f.clock.now(), 2);
  std::sort(listed.begin(), listed.end());
  std::sort(same_time.begin(), same_time.end());
  CHECK(listed == same_time);
}

TEST_CASE("purge deletes exactly the given submissions, for good", "[retention][submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) ids.push_back(f.submit());
  // More than one store batch, and some ids twice, unknown or malformed.
  std::vector<std::string> doomed;
  for (std::size_t i = 0; i < ids.size(); i += 2) doomed.push_back(ids[i]);
  std::vector<std::string> request = doomed;
  request.push_back(doomed.front());
  request.push_back(ide::core::RandomIdGenerator().new_id());
  request.push_back("not an id");

  auto purged = f.service->purge(request);
  REQUIRE(purged);
  CHECK(*purged == doomed.size());

  for (int round = 0; round < 2; ++round) {
    INFO("round " << round << " (1: after reopening the file)");
    for (std::size_t i = 0; i < ids.size(); ++i) {
      INFO(i);
      CHECK(f.stored(ids[i]) == (i % 2 == 1));
      auto exists = f.service->exists(ids[i]);
      REQUIRE(exists);
      CHECK(*exists == (i % 2 == 1));
    }
    CHECK(f.list_all(f.clock.now(), 1000).size() == ids.size() - doomed.size());
    f.open();
  }

  auto again = f.service->purge(doomed);
  REQUIRE(again);
  CHECK(*again == 0);
  auto nothing = f.service->purge({});
  REQUIRE(nothing);
  CHECK(*nothing == 0);
}

TEST_CASE("a purged submission whose hand-off failed is not handed off later",
          "[retention][submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  f.results.fail_enqueue_with(ErrorCode::storage_unavailable);
  const std::string unacknowledged = f.submit();
  f.results.fail_enqueue_with(std::nullopt);
  REQUIRE_FALSE(f.results.was_enqueued(unacknowledged));

  auto purged = f.service->purge({unacknowledged});
  REQUIRE(purged);
  CHECK(*purged == 1);
  // A later successful submission retries failed hand-offs; a restart replays the outbox.
  const std::string later = f.submit();
  f.open();
  CHECK(f.results.was_enqueued(later));
  CHECK_FALSE(f.results.was_enqueued(unacknowledged));
}

TEST_CASE("a submissions file from before retention is upgraded and listed",
          "[retention][submission]") {
  ide::test::TempDir dir;
  std::filesystem::create_directories(dir / "data");
  const std::string id = ide::core::RandomIdGenerator().new_id();
  {
    // Schema version 1 as shipped by the seed.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir / "data" / "submissions.db").c_str(), &db) == SQLITE_OK);
    const std::string sql =
        "CREATE TABLE submissions (id TEXT PRIMARY KEY NOT NULL, language TEXT NOT NULL, "
        "cpu_ms INTEGER, wall_ms INTEGER, memory_kb INTEGER, created_at_ms INTEGER NOT NULL, "
        "handed_off INTEGER NOT NULL DEFAULT 0, code BLOB NOT NULL, stdin BLOB NOT NULL);"
        "CREATE INDEX submissions_pending ON submissions (created_at_ms) WHERE handed_off = 0;"
        "INSERT INTO submissions (id, language, created_at_ms, handed_off, code, stdin) "
        "VALUES ('" +
        id +
        "', 'bash', 1000, 1, 'echo', '');"
        "PRAGMA user_version = 1;";
    REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  ide::core::Config config;
  config.data_dir = dir / "data";
  ide::test::FakeResultService results;
  ide::test::FakeClock clock;
  ide::core::RandomIdGenerator ids;
  auto service = ide::submission::make_submission_service(ide::app::submission_options(config),
                                                          results, clock, ids);
  REQUIRE(service);
  auto page = (*service)->list_created_before(ide::core::from_unix_ms(2000), 10, "");
  REQUIRE(page);
  CHECK(page->ids == std::vector<std::string>{id});
  CHECK((*service)->get(id).has_value());
}
