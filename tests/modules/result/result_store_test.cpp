// The ResultStore contract on both engines, a real SQLite file and a real PostgreSQL cluster:
// claims in enqueue order, one claim per job, leases that lapse and are claimed again with the
// crash counted, release, exactly one result, purge leaving unfinished jobs alone, queue stats,
// and (PostgreSQL) the events another process's changes send.
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/pg.hpp"
#include "pg_result_store.hpp"
#include "sqlite_result_store.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"
#include "support/test_outcomes.hpp"

using ide::result::ClaimedJob;
using ide::result::EnqueueOutcome;
using ide::result::ResultStore;
using ide::result::RunResult;
using ide::result::Status;
using ide::result::Verdict;
using namespace std::chrono_literals;

namespace {

enum class Engine { sqlite, postgresql };

/// One store, and the means to open a second one on the same data (another process).
struct StoreFixture {
  explicit StoreFixture(Engine engine) {
    if (engine == Engine::postgresql) url = ide::test::new_postgres_database();
    store = open();
  }
  std::unique_ptr<ResultStore> open() const {
    if (!url.empty()) return std::make_unique<ide::result::PgResultStore>(url);
    return std::make_unique<ide::result::SqliteResultStore>(dir / "results.db");
  }

  ide::test::TempDir dir;
  std::string url;
  std::unique_ptr<ResultStore> store;
};

RunResult result_of(const std::string& id, const std::string& out) {
  RunResult result;
  result.id = id;
  result.status = Status::done;
  result.verdict = Verdict::ok;
  result.exit_code = 0;
  result.stdout_data = out;
  result.finished_at = ide::core::from_unix_ms(5000);
  return result;
}

std::int64_t now_ms() { return ide::core::to_unix_ms(std::chrono::system_clock::now()); }

}  // namespace

// Each contract twice: the PostgreSQL case is tagged apart, since the cgroup v2 guest, which runs
// this binary again, has no PostgreSQL server.
#define STORE_CONTRACT(description, contract)                  \
  TEST_CASE("result store: " description, "[result][store]") { \
    StoreFixture f(Engine::sqlite);                            \
    contract(*f.store);                                        \
  }                                                            \
  TEST_CASE("result store on PostgreSQL: " description,        \
            "[result][store][postgres][not-in-guest]") {       \
    StoreFixture f(Engine::postgresql);                        \
    contract(*f.store);                                        \
  }

namespace {

void contract_claims_in_order_once(ResultStore& store) {
  for (const char* id : {"a", "b", "c"}) {
    REQUIRE(store.enqueue(id, now_ms(), 10) == EnqueueOutcome::added);
  }
  CHECK(store.enqueue("a", now_ms(), 10) == EnqueueOutcome::already_known);
  CHECK(store.queue_stats(now_ms()).queued == 3);
  std::vector<std::string> claimed;
  while (auto job = store.claim("w1", now_ms(), 60s)) {
    CHECK(job->attempts == 0);
    claimed.push_back(job->id);
  }
  CHECK(claimed == std::vector<std::string>{"a", "b", "c"});
  const auto stats = store.queue_stats(now_ms());
  CHECK(stats.queued == 0);
  CHECK(stats.live_leases == 3);
  CHECK(stats.expired_leases == 0);
  CHECK(store.find_job("b")->state == Status::running);
}

}  // namespace

STORE_CONTRACT("jobs are claimed oldest first, each once", contract_claims_in_order_once)

namespace {

void contract_lapsed_lease(ResultStore& store) {
  REQUIRE(store.enqueue("job", now_ms(), 10) == EnqueueOutcome::added);
  REQUIRE(store.claim("dead", now_ms(), 1000ms));
  CHECK_FALSE(store.claim("alive", now_ms(), 60s));  // its lease still runs
  std::this_thread::sleep_for(1200ms);
  CHECK(store.queue_stats(now_ms()).expired_leases == 1);
  const auto again = store.claim("alive", now_ms(), 60s);
  REQUIRE(again);
  CHECK(again->id == "job");
  CHECK(again->attempts == 1);
  // The dead worker's late release and renewal change nothing: the job is not its own now.
  store.release("job", "dead");
  store.renew_leases("dead", {"job"}, 1000ms);
  CHECK(store.find_job("job")->state == Status::running);
  // Its owner renews it well past the short lease it would otherwise have lapsed by.
  store.renew_leases("alive", {"job"}, 60s);
  CHECK(store.queue_stats(now_ms()).live_leases == 1);
  // Both runs finish: the first result stays.
  store.finish(result_of("job", "first"));
  store.finish(result_of("job", "second"));
  CHECK(store.find_result("job")->stdout_data == "first");
  CHECK(store.find_job("job")->state == Status::done);
  CHECK_FALSE(store.claim("alive", now_ms(), 60s));
}

void contract_release_and_purge(ResultStore& store) {
  for (const char* id : {"done", "running", "queued"}) {
    REQUIRE(store.enqueue(id, now_ms(), 10) == EnqueueOutcome::added);
  }
  REQUIRE(store.claim("w", now_ms(), 60s)->id == "done");
  store.finish(result_of("done", "out"));
  REQUIRE(store.claim("w", now_ms(), 60s)->id == "running");
  // A deliberate release is not a crash.
  REQUIRE(store.claim("w", now_ms(), 60s)->id == "queued");
  store.release("queued", "w");
  CHECK(store.find_job("queued")->state == Status::queued);
  const auto reclaimed = store.claim("w", now_ms(), 60s);
  REQUIRE(reclaimed);
  CHECK(reclaimed->attempts == 0);
  store.release("queued", "w");

  const auto outcome = store.purge({"done", "running", "queued", "unknown"});
  CHECK(outcome.purged == 1);
  CHECK(std::set<std::string>(outcome.skipped.begin(), outcome.skipped.end()) ==
        std::set<std::string>{"running", "queued"});
  CHECK_FALSE(store.find_job("done"));
  CHECK_FALSE(store.find_result("done"));
  CHECK(store.find_job("running")->state == Status::running);
  // A purged job stays purged: a late result writes nothing.
  store.finish(result_of("done", "late"));
  CHECK_FALSE(store.find_result("done"));
}

void contract_queue_bound(ResultStore& store) {
  REQUIRE(store.enqueue("one", now_ms(), 2) == EnqueueOutcome::added);
  REQUIRE(store.enqueue("two", now_ms(), 2) == EnqueueOutcome::added);
  CHECK(store.enqueue("three", now_ms(), 2) == EnqueueOutcome::queue_full);
  CHECK(store.enqueue("one", now_ms(), 2) == EnqueueOutcome::already_known);
  const auto stats = store.queue_stats(now_ms() + 5000);
  CHECK(stats.queued == 2);
  REQUIRE(stats.oldest_queued_age_ms);
  CHECK(*stats.oldest_queued_age_ms >= 4000);
  REQUIRE(store.claim("w", now_ms(), 60s));
  CHECK(store.enqueue("three", now_ms(), 2) == EnqueueOutcome::added);
}

}  // namespace

STORE_CONTRACT("a lapsed lease is claimed again, and one result is kept", contract_lapsed_lease)
STORE_CONTRACT("release and purge", contract_release_and_purge)
STORE_CONTRACT("the queue bound and the oldest job's age", contract_queue_bound)

namespace {

void contract_test_outcomes(ResultStore& store) {
  for (const char* id : {"tested", "untested"}) {
    REQUIRE(store.enqueue(id, now_ms(), 10) == EnqueueOutcome::added);
    REQUIRE(store.claim("w", now_ms(), 60s)->id == id);
  }
  RunResult tested = result_of("tested", "3\n");
  tested.tests = ide::test::sample_test_outcomes();
  store.finish(tested);
  store.finish(result_of("untested", "out"));
  const auto back = store.find_result("tested");
  REQUIRE(back);
  CHECK(back->stdout_data == "3\n");
  ide::test::check_same_outcomes(back->tests, tested.tests);
  const auto without = store.find_result("untested");
  REQUIRE(without);
  CHECK(without->tests.empty());
  // The tests go with their row.
  CHECK(store.purge({"tested"}).purged == 1);
  CHECK_FALSE(store.find_result("tested"));
}

}  // namespace

STORE_CONTRACT("test outcomes are kept byte-exact, and none when there were none",
               contract_test_outcomes)

TEST_CASE("result store on PostgreSQL: results of the previous schema are read after the upgrade",
          "[result][store][postgres][not-in-guest]") {
  StoreFixture f(Engine::postgresql);
  REQUIRE(f.store->enqueue("old", now_ms(), 10) == EnqueueOutcome::added);
  REQUIRE(f.store->claim("w", now_ms(), 60s));
  f.store->finish(result_of("old", "old out"));
  f.store.reset();
  {
    // Back to schema version 1, as the previous release left the database.
    ide::core::pg::Connection raw(f.url);
    raw.exec("ALTER TABLE results DROP COLUMN tests");
    raw.exec("UPDATE ide_schema_version SET version = 1");
  }
  f.store = f.open();
  const auto old = f.store->find_result("old");
  REQUIRE(old);
  CHECK(old->stdout_data == "old out");
  CHECK(old->tests.empty());
  REQUIRE(f.store->enqueue("new", now_ms(), 10) == EnqueueOutcome::added);
  REQUIRE(f.store->claim("w", now_ms(), 60s));
  RunResult tested = result_of("new", "new out");
  tested.tests = ide::test::sample_test_outcomes();
  f.store->finish(tested);
  ide::test::check_same_outcomes(f.store->find_result("new")->tests, tested.tests);
}

TEST_CASE("result store on PostgreSQL: two processes never claim one job twice",
          "[result][store][postgres][not-in-guest]") {
  StoreFixture f(Engine::postgresql);
  constexpr int kJobs = 200;
  for (int i = 0; i < kJobs; ++i) {
    REQUIRE(f.store->enqueue("job" + std::to_string(i), now_ms(), kJobs) == EnqueueOutcome::added);
  }
  std::vector<std::unique_ptr<ResultStore>> stores;
  for (int i = 0; i < 4; ++i) stores.push_back(f.open());
  std::mutex mutex;
  std::vector<std::string> claimed;
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&, i] {
      const std::string owner = "worker" + std::to_string(i);
      while (auto job = stores[i]->claim(owner, now_ms(), 60s)) {
        std::lock_guard lock(mutex);
        claimed.push_back(job->id);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  CHECK(claimed.size() == kJobs);
  CHECK(std::set<std::string>(claimed.begin(), claimed.end()).size() == kJobs);
}

TEST_CASE("result store on PostgreSQL: another process's enqueue and finish are events",
          "[result][store][postgres][not-in-guest]") {
  StoreFixture f(Engine::postgresql);
  std::mutex mutex;
  std::condition_variable changed;
  int queued = 0;
  std::vector<std::string> done;
  ide::result::StoreEvents events{.job_queued =
                                      [&] {
                                        std::lock_guard lock(mutex);
                                        ++queued;
                                        changed.notify_all();
                                      },
                                  .result_done =
                                      [&](const std::string& id) {
                                        std::lock_guard lock(mutex);
                                        done.push_back(id);
                                        changed.notify_all();
                                      },
                                  .missed = [] {}};
  f.store->subscribe(events);
  auto other = f.open();
  // The listener may connect after this enqueue: then `missed` covers it, so retry until seen.
  std::unique_lock lock(mutex);
  for (int i = 0; i < 20 && queued == 0; ++i) {
    lock.unlock();
    REQUIRE(other->enqueue("e" + std::to_string(i), now_ms(), 100) == EnqueueOutcome::added);
    lock.lock();
    changed.wait_for(lock, 500ms, [&] { return queued > 0; });
  }
  CHECK(queued > 0);
  lock.unlock();
  const auto job = other->claim("w", now_ms(), 60s);
  REQUIRE(job);
  other->finish(result_of(job->id, "out"));
  lock.lock();
  CHECK(changed.wait_for(lock, 10s, [&] { return !done.empty(); }));
  REQUIRE_FALSE(done.empty());
  CHECK(done.front() == job->id);
  lock.unlock();
  f.store.reset();  // stops listening before `events` goes
}
