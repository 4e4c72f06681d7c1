// Builds a ResultServiceImpl on a real results.db in a temp dir, with the scripted fake sandbox
// and the in-memory submission fake behind the real JobSource adapter, plus synchronous helpers
// around watch_result.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>

#include "compose/job_source.hpp"
#include "fake_sandbox.hpp"
#include "language_catalogue.hpp"
#include "result_service_impl.hpp"
#include "sqlite_result_store.hpp"
#include "support/fakes/fake_submission_service.hpp"
#include "support/temp_dir.hpp"

namespace ide::test {

inline result::LanguageCatalogue fake_catalogue() {
  result::ProbedLanguage fake;
  fake.spec.id = "fake";
  fake.spec.name = "Fake";
  fake.spec.source = "main.fake";
  fake.spec.run = {"/bin/fake"};
  fake.spec.version_command = {"/bin/fake", "--version"};
  fake.installed = true;
  fake.version = "1.0";
  return result::LanguageCatalogue({fake});
}

/// Waits for the one call of a ResultCallback, and checks it is indeed only one.
class CallbackProbe {
 public:
  result::ResultCallback callback() {
    return [this](core::Result<result::RunResult> r) {
      if (++calls_ == 1) promise_.set_value(std::move(r));
    };
  }
  /// The answer, or throws when none comes within `limit`.
  core::Result<result::RunResult> get(std::chrono::seconds limit = std::chrono::seconds(30)) {
    if (future_.wait_for(limit) != std::future_status::ready) {
      throw std::runtime_error("the callback was never called");
    }
    return future_.get();
  }
  int calls() const { return calls_.load(); }

 private:
  std::promise<core::Result<result::RunResult>> promise_;
  std::future<core::Result<result::RunResult>> future_ = promise_.get_future();
  std::atomic<int> calls_{0};
};

/// An executor that runs the answer on the thread that gives it (a worker or the timer).
inline void run_inline(std::function<void()> task) { task(); }

struct ServiceHarness {
  TempDir dir;
  FakeSubmissionService submissions;
  compose::SubmissionJobSource jobs{submissions};
  core::SystemClock clock;
  std::shared_ptr<FakeSandbox::Shared> sandbox;
  std::unique_ptr<result::ResultServiceImpl> service;
  result::ServiceOptions options{
      .workers = 2, .max_queue = 100, .limits = {}, .retry_pause = std::chrono::milliseconds(50)};

  std::filesystem::path db_path() const { return dir / "results.db"; }

  /// (Re)creates the service on the same database file, as a restart does.
  void open() {
    service.reset();
    auto fake = std::make_unique<FakeSandbox>();
    sandbox = fake->shared();
    service = std::make_unique<result::ResultServiceImpl>(
        std::make_unique<result::SqliteResultStore>(db_path()), std::move(fake), fake_catalogue(),
        clock, options);
  }

  std::string add(const std::string& code, const std::string& stdin_data = "") {
    submission::Submission s;
    s.language = "fake";
    s.code = code;
    s.stdin_data = stdin_data;
    s.created_at = clock.now();
    return submissions.add(std::move(s));
  }

  std::string submit(const std::string& code, const std::string& stdin_data = "") {
    std::string id = add(code, stdin_data);
    auto queued = service->enqueue(id);
    if (!queued) throw std::runtime_error("enqueue failed: " + queued.error().message);
    return id;
  }

  /// Opens the service with one worker, starts it and submits `code` (which should begin with
  /// "block"); returns the job's id once the worker is inside it.
  std::string start_blocked(const std::string& code) {
    options.workers = 1;
    open();
    service->start(jobs);
    std::string id = submit(code);
    if (!sandbox->wait_blocked(1)) throw std::runtime_error("the job never blocked");
    return id;
  }

  core::Result<result::RunResult> get(
      const std::string& id, std::chrono::milliseconds wait = std::chrono::milliseconds(0)) {
    if (wait.count() <= 0) return service->get_result(id);
    CallbackProbe probe;
    watch(id, wait, probe);
    return probe.get();
  }

  /// watch_result answered on the module's own thread, into `probe`.
  result::WatchHandle watch(const std::string& id, std::chrono::milliseconds wait,
                            CallbackProbe& probe) {
    auto watched = service->watch_result(id, wait, run_inline, probe.callback());
    if (!watched) throw std::runtime_error("watch_result failed: " + watched.error().message);
    return *watched;
  }

  /// Long-polls until `id` is done (bounded); throws if it never is.
  result::RunResult wait_done(const std::string& id) {
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < limit) {
      auto r = get(id, std::chrono::seconds(5));
      if (!r) throw std::runtime_error("get_result failed: " + r.error().message);
      if (r->status == result::Status::done) return std::move(*r);
    }
    throw std::runtime_error("job " + id + " never finished");
  }
};

}  // namespace ide::test
