// The in-process ResultService: a durable queue in results.db mirrored in memory, a pool of
// workers each owning one sandbox slot, and long-poll waiters answered by one timer thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/limits.hpp"
#include "executor.hpp"
#include "language_catalogue.hpp"
#include "result/job_source.hpp"
#include "result/result_service.hpp"
#include "result_store.hpp"
#include "sandbox/sandbox.hpp"

namespace ide::result {

struct ServiceOptions {
  unsigned workers = 1;          // also the number of sandbox slots
  std::size_t max_queue = 1000;  // queued jobs before enqueue answers queue_full
  core::LimitSettings limits;
  std::chrono::milliseconds retry_pause{2000};  // after a transient failure (storage, fetch)
};

class ResultServiceImpl final : public ResultService {
 public:
  /// A job interrupted by this many crashes is finished as internal_error instead of run again,
  /// so that a program that brings the server down cannot do so forever.
  static constexpr std::int64_t kMaxCrashes = 3;

  /// Queues again the jobs a crash left running and loads the queue; runs nothing before start().
  /// Throws when the store fails.
  ResultServiceImpl(std::unique_ptr<ResultStore> store, std::unique_ptr<sandbox::Sandbox> sandbox,
                    LanguageCatalogue catalogue, const core::Clock& clock, ServiceOptions options);
  ResultServiceImpl(const ResultServiceImpl&) = delete;
  ResultServiceImpl& operator=(const ResultServiceImpl&) = delete;
  /// stop(0) if still running, then answers every remaining waiter.
  ~ResultServiceImpl() override;

  core::Result<void> enqueue(std::string_view submission_id) override;
  core::Result<RunResult> get_result(std::string_view submission_id) override;
  core::Result<WatchHandle> watch_result(std::string_view submission_id,
                                         std::chrono::milliseconds wait, CallbackExecutor executor,
                                         ResultCallback done) override;
  core::Result<void> check_runnable(std::string_view language,
                                    const core::RequestedLimits& limits) override;
  core::Result<std::vector<Language>> languages() override;
  core::Result<PurgeOutcome> purge(const std::vector<std::string>& submission_ids) override;

  /// Starts the workers; `jobs` must outlive stop(). Call once.
  void start(JobSource& jobs);
  /// Refuses new work, lets running jobs finish for up to `grace`, then cancels them (they stay
  /// queued for the next start) and joins the workers. Pending waiters get their current status.
  void stop(std::chrono::milliseconds grace);

  const sandbox::Sandbox& sandbox() const { return *sandbox_; }

 private:
  using SteadyClock = std::chrono::steady_clock;
  struct ActiveJob {
    Status status = Status::queued;
    core::TimePoint enqueued_at;
  };
  struct Waiter;
  using WaiterMap = std::multimap<std::string, Waiter, std::less<>>;
  struct Waiter {
    ResultCallback done;
    std::multimap<SteadyClock::time_point, WaiterMap::iterator>::iterator deadline;
  };
  /// A callback to call, with its answer, once the mutex is released.
  struct Answer {
    ResultCallback done;
    RunResult result;
  };
  enum class JobEnd { finished, retry_later, left_queued };

  void worker_loop(unsigned slot);
  void timer_loop();
  JobEnd run_job(unsigned slot, const std::string& id);
  /// nullopt when the job was cancelled by stop().
  std::optional<RunResult> execute(unsigned slot, const JobInput& job);
  /// Writes `result` and answers its waiters. Throws when the store fails.
  void finish(RunResult result);
  RunResult status_locked(const std::string& id, const ActiveJob& job) const;
  std::vector<Answer> take_all_waiters_locked();
  static void deliver(std::vector<Answer> answers);

  std::unique_ptr<ResultStore> store_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  const LanguageCatalogue catalogue_;
  const core::Clock& clock_;
  const ServiceOptions options_;
  const Executor executor_;

  std::mutex mutex_;
  std::condition_variable work_cv_;   // queue_ gained a job, or stopping_
  std::condition_variable idle_cv_;   // busy_ dropped
  std::condition_variable timer_cv_;  // a waiter was added, or timer_exit_
  std::deque<std::string> queue_;
  std::map<std::string, ActiveJob, std::less<>> active_;  // every queued or running job
  WaiterMap waiters_;
  std::multimap<SteadyClock::time_point, WaiterMap::iterator> deadlines_;
  JobSource* jobs_ = nullptr;
  std::vector<sandbox::Box*> open_boxes_;  // per slot, while a job runs in it
  unsigned busy_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  bool cancelled_ = false;  // the grace period is over: running jobs are killed and left queued
  bool timer_exit_ = false;
  std::vector<std::thread> workers_;
  std::thread timer_;
};

}  // namespace ide::result
