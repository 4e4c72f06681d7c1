// The ResultService: workers (each owning one sandbox slot) claim jobs from the store's queue
// under leases, so several processes can share one queue; long-poll waiters are answered by the
// finishing worker, by the store's events of other processes, or by one timer thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/limits.hpp"
#include "core/metrics.hpp"
#include "executor.hpp"
#include "language_catalogue.hpp"
#include "live_runs.hpp"
#include "result/job_source.hpp"
#include "result/result_service.hpp"
#include "result_store.hpp"
#include "run_metrics.hpp"
#include "sandbox/sandbox.hpp"

namespace ide::result {

struct ServiceOptions {
  unsigned workers = 1;          // also the number of sandbox slots
  std::size_t max_queue = 1000;  // queued jobs before enqueue answers queue_full
  core::LimitSettings limits;
  std::chrono::milliseconds retry_pause{2000};  // after a transient failure (storage, fetch)
  std::chrono::milliseconds lease{30'000};      // a claimed job's lease, renewed every third
  core::metrics::Registry* metrics = &core::metrics::process_registry();  // runs are counted here
};

class ResultServiceImpl final : public ResultService {
 public:
  /// A job interrupted by this many crashes is finished as internal_error instead of run again,
  /// so that a program that brings the server down cannot do so forever.
  static constexpr std::int64_t kMaxCrashes = 3;

  /// Queues again the jobs a crash left running (for a store only this process opens) and
  /// listens to the store's events; runs nothing before start(). Throws when the store fails.
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
  core::Result<QueueStats> queue_stats() override;
  core::Result<PurgeOutcome> purge(const std::vector<std::string>& submission_ids) override;
  core::Result<LiveOutput> read_live(std::string_view submission_id, std::uint64_t from_offset,
                                     std::chrono::milliseconds wait) override;
  core::Result<StdinReply> send_stdin(std::string_view submission_id, std::string_view bytes,
                                      bool close) override;

  /// Starts the workers, which claim jobs from the store; `jobs` must outlive stop(). Call once.
  void start(JobSource& jobs);
  /// Refuses new work, lets running jobs finish for up to `grace`, then cancels them (they go
  /// back to queued) and joins the workers. Pending waiters get their current status.
  void stop(std::chrono::milliseconds grace);

  const sandbox::Sandbox& sandbox() const { return *sandbox_; }
  /// Names this service's leases in the store: host, pid and a random part.
  const std::string& owner() const { return owner_; }

 private:
  using SteadyClock = std::chrono::steady_clock;
  struct Waiter;
  using WaiterMap = std::multimap<std::string, Waiter, std::less<>>;
  struct Waiter {
    std::uint64_t token = 0;
    ResultCallback done;
    std::multimap<SteadyClock::time_point, WaiterMap::iterator>::iterator deadline;
  };
  /// A waiter taken out of waiters_, to be answered once the mutex is released.
  struct Pending {
    std::string id;
    ResultCallback done;
  };
  enum class JobEnd { finished, retry_later, left_queued, none_queued };

  void worker_loop(unsigned slot);
  void timer_loop();
  void lease_loop();
  /// Claims a job and runs it.
  JobEnd run_next(unsigned slot);
  JobEnd run_job(unsigned slot, const ClaimedJob& claimed, LiveRun& live);
  /// Puts a job this service holds back to queued; a failure leaves its lease to run out.
  void release(const std::string& id);
  /// nullopt when the job was cancelled by stop().
  std::optional<RunResult> execute(unsigned slot, const JobInput& job, LiveRun& live);
  /// Writes `result` and answers its waiters. Throws when the store fails.
  void finish(RunResult result);
  /// Answers the waiters of `id` if its result is stored (finished by another process).
  void answer_if_done(const std::string& id);
  /// The waiter `token` of `id`, if nobody answered it yet.
  ResultCallback take_waiter(std::string_view id, std::uint64_t token);
  std::vector<Pending> take_waiters_locked(std::string_view id);
  std::vector<Pending> take_all_waiters_locked();
  /// Answers each with the current state of its job (reads the store).
  void answer_with_status(std::vector<Pending> pending);
  /// Wakes an idle worker: a job may be claimable.
  void signal_work();

  std::unique_ptr<ResultStore> store_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  const LanguageCatalogue catalogue_;
  const core::Clock& clock_;
  const ServiceOptions options_;
  const Executor executor_;
  const std::string owner_;
  RunMetrics metrics_;
  StoreEvents events_;
  LiveRuns live_;  // of the jobs this service runs

  std::mutex mutex_;
  std::condition_variable work_cv_;   // work_signal_ moved, or stopping_
  std::condition_variable idle_cv_;   // busy_ dropped
  std::condition_variable timer_cv_;  // a waiter was added, or timer_exit_
  std::condition_variable lease_cv_;  // lease_exit_
  std::uint64_t work_signal_ = 0;     // counts the signals that a job may be claimable
  std::uint64_t next_token_ = 0;
  WaiterMap waiters_;
  std::multimap<SteadyClock::time_point, WaiterMap::iterator> deadlines_;
  std::set<std::string, std::less<>> held_;  // jobs this service has claimed and not let go
  JobSource* jobs_ = nullptr;
  std::vector<sandbox::Box*> open_boxes_;  // per slot, while a job runs in it
  unsigned busy_ = 0;                      // workers claiming or running a job
  bool started_ = false;
  bool stopping_ = false;
  bool cancelled_ = false;  // the grace period is over: running jobs are killed and left queued
  bool timer_exit_ = false;
  bool lease_exit_ = false;
  std::vector<std::thread> workers_;
  std::thread timer_;
  std::thread lease_thread_;
};

}  // namespace ide::result
