// The result service's queue, workers and long-poll on a real results.db, with a scripted fake
// sandbox: idempotent and bounded enqueue, statuses, waiters answered exactly once, crash
// recovery, stop and restart, and failures while fetching or storing.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <functional>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "service_harness.hpp"

using namespace std::chrono_literals;
using ide::core::ErrorCode;
using ide::result::Status;
using ide::result::Verdict;
using ide::test::CallbackProbe;
using ide::test::ServiceHarness;

namespace {

/// Table names in the file, read with plain sqlite3 (not through the module).
std::set<std::string> tables_of(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &stmt,
                             nullptr) == SQLITE_OK);
  std::set<std::string> names;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    names.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return names;
}

}  // namespace

TEST_CASE("a submitted job runs and its result is kept", "[result]") {
  ServiceHarness h;
  h.open();
  h.service->start(h.jobs);
  const std::string id = h.submit("out hello\nexit 0", "");
  const auto result = h.wait_done(id);
  CHECK(result.id == id);
  CHECK(result.verdict == Verdict::ok);
  CHECK(result.stdout_data == "hello");
  REQUIRE(result.exit_code.has_value());
  CHECK(*result.exit_code == 0);
  REQUIRE(result.finished_at.has_value());
  CHECK(*result.finished_at >= result.created_at);

  // A later poll reads the same result back from the database.
  const auto again = h.get(id);
  REQUIRE(again);
  CHECK(again->status == Status::done);
  CHECK(again->stdout_data == "hello");
  CHECK(again->created_at == result.created_at);
}

TEST_CASE("enqueue is idempotent", "[result]") {
  ServiceHarness h;
  h.open();
  const std::string id = h.add("out once");
  REQUIRE(h.service->enqueue(id));
  REQUIRE(h.service->enqueue(id));
  h.service->start(h.jobs);
  h.wait_done(id);
  // Known after it finished, too: still success, and nothing runs again.
  REQUIRE(h.service->enqueue(id));
  h.service->stop(5s);
  CHECK(h.sandbox->run_count() == 1);
}

TEST_CASE("the queue is bounded, but a known id is always accepted", "[result]") {
  ServiceHarness h;
  h.options.max_queue = 2;
  h.open();
  const std::string a = h.add("out a");
  const std::string b = h.add("out b");
  const std::string c = h.add("out c");
  REQUIRE(h.service->enqueue(a));
  REQUIRE(h.service->enqueue(b));
  const auto full = h.service->enqueue(c);
  REQUIRE_FALSE(full);
  CHECK(full.error().code == ErrorCode::queue_full);
  CHECK(h.service->enqueue(a));

  // The refused job left no trace.
  const auto unknown = h.get(c);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::not_found);

  // The bound counts queued jobs: once they ran there is room again.
  h.service->start(h.jobs);
  h.wait_done(a);
  h.wait_done(b);
  CHECK(h.service->enqueue(c));
  h.wait_done(c);
}

TEST_CASE("queued and running jobs report their status without outputs", "[result]") {
  ServiceHarness h;
  h.options.workers = 1;
  h.open();
  const std::string first = h.submit("out partial\nblock\nout done");
  const std::string second = h.submit("out second");

  auto queued = h.get(first);
  REQUIRE(queued);
  CHECK(queued->status == Status::queued);
  CHECK(queued->stdout_data.empty());
  CHECK_FALSE(queued->finished_at.has_value());

  h.service->start(h.jobs);
  REQUIRE(h.sandbox->wait_blocked(1));
  auto running = h.get(first);
  REQUIRE(running);
  CHECK(running->status == Status::running);
  CHECK(running->stdout_data.empty());
  auto waiting = h.get(second);
  REQUIRE(waiting);
  CHECK(waiting->status == Status::queued);

  h.sandbox->release();
  CHECK(h.wait_done(first).stdout_data == "partialdone");
  CHECK(h.wait_done(second).stdout_data == "second");
}

TEST_CASE("an unknown id is not_found", "[result]") {
  ServiceHarness h;
  h.open();
  for (auto wait : {0ms, 200ms}) {
    CallbackProbe probe;
    h.watch("nope", wait, probe);
    const auto r = probe.get();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::not_found);
    CHECK(probe.calls() == 1);
  }
}

TEST_CASE("a long poll returns as soon as the job is done", "[result]") {
  ServiceHarness h;
  const std::string id = h.start_blocked("block\nout late");

  CallbackProbe probe;
  const auto started = std::chrono::steady_clock::now();
  h.watch(id, 60s, probe);
  std::this_thread::sleep_for(50ms);
  CHECK(probe.calls() == 0);
  h.sandbox->release();
  const auto r = probe.get();
  // Far below the 60 s wait: it was answered by the job finishing, not by the timer.
  CHECK(std::chrono::steady_clock::now() - started < 30s);
  REQUIRE(r);
  CHECK(r->status == Status::done);
  CHECK(r->stdout_data == "late");
  h.service->stop(5s);
  CHECK(probe.calls() == 1);
}

TEST_CASE("get_result answers at once with the status of a running job", "[result]") {
  ServiceHarness h;
  const std::string id = h.start_blocked("block\nout done");
  const auto now = h.service->get_result(id);
  REQUIRE(now);
  CHECK(now->status == Status::running);
  CHECK(now->stdout_data.empty());
  h.sandbox->release();
  CHECK(h.wait_done(id).stdout_data == "done");
}

TEST_CASE("a watch answers through the executor its caller names", "[result]") {
  ServiceHarness h;
  const std::string id = h.start_blocked("block\nout late");

  // The executor only queues: the answer runs when this thread says so.
  std::mutex mutex;
  std::vector<std::function<void()>> queued;
  const auto executor = [&](std::function<void()> task) {
    std::lock_guard lock(mutex);
    queued.push_back(std::move(task));
  };
  CallbackProbe probe;
  REQUIRE(h.service->watch_result(id, 60s, executor, probe.callback()));
  h.sandbox->release();
  const auto limit = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < limit) {
    std::lock_guard lock(mutex);
    if (!queued.empty()) break;
  }
  std::this_thread::sleep_for(50ms);
  CHECK(probe.calls() == 0);  // handed to the executor, not called by the worker
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(mutex);
    tasks.swap(queued);
  }
  REQUIRE(tasks.size() == 1);
  tasks.front()();
  const auto r = probe.get();
  REQUIRE(r);
  CHECK(r->stdout_data == "late");
}

TEST_CASE("a cancelled watch is never answered, others on the job are", "[result]") {
  ServiceHarness h;
  const std::string id = h.start_blocked("block\nout late");
  CallbackProbe cancelled;
  CallbackProbe kept;
  const ide::result::WatchHandle handle = h.watch(id, 60s, cancelled);
  h.watch(id, 60s, kept);
  handle.cancel();
  handle.cancel();  // idempotent
  CHECK(handle.cancelled());
  h.sandbox->release();
  REQUIRE(kept.get());
  // The expired wait of a cancelled watch is not answered either.
  CallbackProbe expired;
  const std::string other = h.submit("sleep 1000");  // still running when the wait runs out
  h.watch(other, 100ms, expired).cancel();
  std::this_thread::sleep_for(400ms);
  h.service->stop(0ms);
  CHECK(cancelled.calls() == 0);
  CHECK(expired.calls() == 0);
  CHECK(kept.calls() == 1);
}

TEST_CASE("check_runnable: a served language and each limit within 1 and its maximum", "[result]") {
  ServiceHarness h;
  h.options.limits.max_cpu_ms = 20'000;
  h.options.limits.max_wall_ms = 30'000;
  h.options.limits.max_memory_kb = 1'048'576;
  h.open();

  const auto unknown = h.service->check_runnable("cobol", {});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::unknown_language);
  CHECK_THAT(unknown.error().message, Catch::Contains("cobol"));
  CHECK_THAT(unknown.error().message, Catch::Contains("Served languages: fake."));
  const auto long_name = h.service->check_runnable(std::string(500, 'x'), {});
  CHECK(long_name.error().message.size() < 200);  // the echo is cut

  struct Case {
    const char* field;
    std::optional<std::int64_t> ide::core::RequestedLimits::*member;
    std::int64_t max;
  };
  const std::vector<Case> cases = {
      {"cpu_ms", &ide::core::RequestedLimits::cpu_ms, 20'000},
      {"wall_ms", &ide::core::RequestedLimits::wall_ms, 30'000},
      {"memory_kb", &ide::core::RequestedLimits::memory_kb, 1'048'576},
  };
  for (const Case& c : cases) {
    for (const std::int64_t bad :
         {std::int64_t{0}, std::int64_t{-1}, c.max + 1, std::numeric_limits<std::int64_t>::max(),
          std::numeric_limits<std::int64_t>::min()}) {
      INFO(c.field << " = " << bad);
      ide::core::RequestedLimits limits;
      limits.*c.member = bad;
      const auto checked = h.service->check_runnable("fake", limits);
      REQUIRE_FALSE(checked);
      CHECK(checked.error().code == ErrorCode::invalid_limits);
      CHECK_THAT(checked.error().message, Catch::Contains(c.field));
      CHECK_THAT(checked.error().message,
                 Catch::Contains("between 1 and " + std::to_string(c.max)));
    }
    for (const std::int64_t good : {std::int64_t{1}, c.max / 2, c.max}) {
      INFO(c.field << " = " << good);
      ide::core::RequestedLimits limits;
      limits.*c.member = good;
      CHECK(h.service->check_runnable("fake", limits));
    }
  }
  CHECK(h.service->check_runnable("fake", {}));
}

TEST_CASE("a long poll answers with the current status when the wait expires", "[result]") {
  ServiceHarness h;
  h.options.workers = 1;
  h.open();
  h.service->start(h.jobs);
  const std::string running = h.submit("block");
  const std::string queued = h.submit("out next");
  REQUIRE(h.sandbox->wait_blocked(1));

  CallbackProbe on_running;
  CallbackProbe on_queued;
  const auto started = std::chrono::steady_clock::now();
  h.watch(running, 300ms, on_running);
  h.watch(queued, 200ms, on_queued);
  const auto r1 = on_running.get();
  const auto r2 = on_queued.get();
  CHECK(std::chrono::steady_clock::now() - started >= 300ms);
  REQUIRE(r1);
  CHECK(r1->status == Status::running);
  REQUIRE(r2);
  CHECK(r2->status == Status::queued);

  h.sandbox->release();
  h.wait_done(queued);
  CHECK(on_running.calls() == 1);
  CHECK(on_queued.calls() == 1);
}

TEST_CASE("many waiters on one job are each answered once", "[result]") {
  ServiceHarness h;
  const std::string id = h.start_blocked("block\nout x");
  std::vector<std::unique_ptr<CallbackProbe>> probes;
  for (int i = 0; i < 20; ++i) {
    probes.push_back(std::make_unique<CallbackProbe>());
    // Half of them expire before the job is released, half are answered by it.
    h.watch(id, i % 2 == 0 ? 100ms : 60s, *probes.back());
  }
  std::this_thread::sleep_for(300ms);
  h.sandbox->release();
  for (auto& probe : probes) {
    const auto r = probe->get();
    REQUIRE(r);
  }
  h.service->stop(5s);
  h.service.reset();
  for (auto& probe : probes) CHECK(probe->calls() == 1);
}

TEST_CASE("a job left running by a crash runs again, and has exactly one result", "[result]") {
  ServiceHarness h;
  std::string id;
  {
    // The crashed process: the job was queued and then marked running, and nothing more.
    id = h.add("out recovered");
    ide::result::SqliteResultStore store(h.db_path());
    REQUIRE(store.enqueue(id, 1000, 10) == ide::result::EnqueueOutcome::added);
    REQUIRE(store.claim("crashed", 2000, std::chrono::seconds(30)));
    REQUIRE(store.find_job(id)->state == Status::running);
  }
  h.open();
  const auto before = h.get(id);
  REQUIRE(before);
  CHECK(before->status == Status::queued);
  h.service->start(h.jobs);
  const auto result = h.wait_done(id);
  CHECK(result.stdout_data == "recovered");
  h.service.reset();

  ide::result::SqliteResultStore store(h.db_path());
  const auto job = store.find_job(id);
  REQUIRE(job);
  CHECK(job->state == Status::done);
  CHECK(job->attempts == 1);
  CHECK(h.sandbox->run_count() == 1);
  // A second finish (a duplicate run) cannot replace the first result.
  ide::result::RunResult duplicate;
  duplicate.id = id;
  duplicate.verdict = Verdict::runtime_error;
  duplicate.stdout_data = "second";
  store.finish(duplicate);
  CHECK(store.find_result(id)->stdout_data == "recovered");
}

TEST_CASE("queued jobs are loaded in enqueue order", "[result]") {
  ServiceHarness h;
  h.options.workers = 1;
  std::vector<std::string> ids;
  {
    ide::result::SqliteResultStore store(h.db_path());
    for (int i = 0; i < 5; ++i) {
      ids.push_back(h.add("out " + std::to_string(i)));
      // Same millisecond for some: insertion order still decides.
      REQUIRE(store.enqueue(ids.back(), 1000 + i / 2, 10) == ide::result::EnqueueOutcome::added);
    }
  }
  h.open();
  h.service->start(h.jobs);
  for (const auto& id : ids) h.wait_done(id);
  std::lock_guard lock(h.sandbox->mutex);
  REQUIRE(h.sandbox->runs.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(h.sandbox->runs[i] == "out " + std::to_string(i));
}

TEST_CASE("a job interrupted by repeated crashes ends as internal_error", "[result]") {
  ServiceHarness h;
  const std::string id = h.add("out never");
  {
    ide::result::SqliteResultStore store(h.db_path());
    REQUIRE(store.enqueue(id, 1000, 10) == ide::result::EnqueueOutcome::added);
    for (int i = 0; i < ide::result::ResultServiceImpl::kMaxCrashes; ++i) {
      REQUIRE(store.claim("crashed", 2000, std::chrono::seconds(30)));
      store.requeue_interrupted();
    }
  }
  h.open();
  h.service->start(h.jobs);
  const auto result = h.wait_done(id);
  CHECK(result.verdict == Verdict::internal_error);
  CHECK(h.sandbox->run_count() == 0);
}

TEST_CASE("stop leaves unstarted jobs queued and a restart runs them", "[result]") {
  ServiceHarness h;
  h.options.workers = 1;
  h.open();
  h.service->start(h.jobs);
  const std::string running = h.submit("block\nout first");
  const std::string later1 = h.submit("out second");
  const std::string later2 = h.submit("out third");
  REQUIRE(h.sandbox->wait_blocked(1));

  CallbackProbe pending;
  h.watch(later1, 60s, pending);
  std::thread stopper([&] { h.service->stop(30s); });
  // stop() refuses new work at once...
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  ide::core::Result<void> refused;
  do {
    refused = h.service->enqueue(h.add("out refused"));
    if (refused) std::this_thread::sleep_for(10ms);
  } while (refused && std::chrono::steady_clock::now() < deadline);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::shutting_down);
  // ...and lets the running job finish within the grace period.
  h.sandbox->release();
  stopper.join();

  // The pending waiter got its current status, once.
  const auto answered = pending.get();
  REQUIRE(answered);
  CHECK(answered->status == Status::queued);
  CHECK(pending.calls() == 1);
  CHECK(h.get(running)->status == Status::done);
  CHECK(h.get(later1)->status == Status::queued);
  CHECK(h.sandbox->run_count() == 1);
  {
    ide::result::SqliteResultStore store(h.db_path());
    CHECK(store.find_job(later1)->state == Status::queued);
    CHECK(store.find_job(later2)->state == Status::queued);
  }

  h.open();
  h.service->start(h.jobs);
  CHECK(h.wait_done(later1).stdout_data == "second");
  CHECK(h.wait_done(later2).stdout_data == "third");
  CHECK(h.get(running)->stdout_data == "first");
}

TEST_CASE("stop kills jobs that outlive the grace period and leaves them queued", "[result]") {
  ServiceHarness h;
  h.options.workers = 2;
  h.open();
  h.service->start(h.jobs);
  const std::string first = h.submit("block\nout first");
  const std::string second = h.submit("block\nout second");
  REQUIRE(h.sandbox->wait_blocked(2));
  h.service->stop(100ms);
  {
    std::lock_guard lock(h.sandbox->mutex);
    CHECK(h.sandbox->cancels == 2);
  }
  // Killed runs leave no result: both are queued again, in the file too.
  CHECK(h.get(first)->status == Status::queued);
  {
    ide::result::SqliteResultStore store(h.db_path());
    CHECK(store.find_job(first)->state == Status::queued);
    CHECK(store.find_job(second)->state == Status::queued);
    CHECK_FALSE(store.find_result(first).has_value());
    // A deliberate stop is not a crash.
    CHECK(store.find_job(first)->attempts == 0);
  }

  h.open();
  h.sandbox->release();
  h.service->start(h.jobs);
  CHECK(h.wait_done(first).stdout_data == "first");
  CHECK(h.wait_done(second).stdout_data == "second");
}

TEST_CASE("workers never share a sandbox slot", "[result]") {
  ServiceHarness h;
  h.options.workers = 3;
  h.open();
  h.service->start(h.jobs);
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(h.submit("sleep 5\nout " + std::to_string(i)));
  for (const auto& id : ids) h.wait_done(id);
  std::lock_guard lock(h.sandbox->mutex);
  CHECK_FALSE(h.sandbox->slot_shared);
  CHECK(h.sandbox->runs.size() == 12);
}

TEST_CASE("a vanished submission or an uninstalled language ends as internal_error", "[result]") {
  ServiceHarness h;
  h.open();
  h.service->start(h.jobs);
  REQUIRE(h.service->enqueue("never-submitted"));
  const auto vanished = h.wait_done("never-submitted");
  CHECK(vanished.verdict == Verdict::internal_error);
  CHECK(vanished.stderr_data.find("no longer exists") != std::string::npos);

  ide::submission::Submission cobol;
  cobol.language = "cobol";
  cobol.code = "DISPLAY 'HI'.";
  const std::string id = h.submissions.add(cobol);
  REQUIRE(h.service->enqueue(id));
  const auto uninstalled = h.wait_done(id);
  CHECK(uninstalled.verdict == Verdict::internal_error);
  CHECK(uninstalled.stderr_data.find("cobol") != std::string::npos);
}

TEST_CASE("a job whose submission cannot be fetched for now is retried later", "[result]") {
  ServiceHarness h;
  h.options.workers = 1;
  h.open();
  const std::string id = h.submit("out fetched");
  h.submissions.fail_with(ErrorCode::storage_unavailable);
  h.service->start(h.jobs);
  const auto limit = std::chrono::steady_clock::now() + 20s;
  while (h.submissions.lookups() < 2 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(h.submissions.lookups() >= 2);
  const auto meanwhile = h.get(id);
  REQUIRE(meanwhile);
  CHECK(meanwhile->status != Status::done);
  h.submissions.fail_with(std::nullopt);
  CHECK(h.wait_done(id).stdout_data == "fetched");
  CHECK(h.sandbox->run_count() == 1);
}

TEST_CASE("verdicts and fields of finished jobs survive the database", "[result]") {
  ServiceHarness h;
  h.options.workers = 2;
  h.open();
  h.service->start(h.jobs);
  const std::string code = h.submit("out a\nexit 3");
  const std::string sig = h.submit("signal 11");
  const std::string tle = h.submit("tle");
  const std::string ole = h.submit("out xxxx\nolimit");
  const std::string setup = h.submit("setup_fail");
  const std::string bytes = h.submit("echo", std::string("\0\xff\n binary", 10));
  h.service->stop(30s);
  // Nothing ran to completion before stop for certain, so restart and wait for all.
  h.open();
  h.service->start(h.jobs);
  for (const auto& id : {code, sig, tle, ole, setup, bytes}) h.wait_done(id);
  h.service.reset();
  h.open();  // fresh connections: everything below comes from the file

  const auto r_code = *h.get(code);
  CHECK(r_code.verdict == Verdict::runtime_error);
  CHECK(r_code.exit_code == std::optional<int>(3));
  CHECK_FALSE(r_code.signal.has_value());
  const auto r_sig = *h.get(sig);
  CHECK(r_sig.verdict == Verdict::runtime_error);
  CHECK(r_sig.signal == std::optional<int>(11));
  CHECK_FALSE(r_sig.exit_code.has_value());
  CHECK(h.get(tle)->verdict == Verdict::time_limit_exceeded);
  const auto r_ole = *h.get(ole);
  CHECK(r_ole.verdict == Verdict::output_limit_exceeded);
  CHECK(r_ole.stdout_truncated);
  CHECK_FALSE(r_ole.stderr_truncated);
  CHECK(r_ole.stdout_data == "xxxx");
  CHECK(h.get(setup)->verdict == Verdict::internal_error);
  CHECK(h.get(bytes)->stdout_data == std::string("\0\xff\n binary", 10));
}

TEST_CASE("results.db holds only the result module's tables", "[result]") {
  ServiceHarness h;
  h.open();
  h.service->start(h.jobs);
  h.wait_done(h.submit("out x", "some stdin"));
  h.service.reset();
  CHECK(tables_of(h.db_path()) == std::set<std::string>{"jobs", "results"});
}
