#include "result_service_impl.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "core/log.hpp"
#include "core/sqlite.hpp"

namespace ide::result {

namespace {

constexpr std::size_t kMaxEchoedLanguage = 64;

core::Unexpected unknown_language(std::string_view language, const std::vector<Language>& served) {
  std::string asked(language.substr(0, kMaxEchoedLanguage));
  if (asked.size() < language.size()) asked += "...";
  std::string served_ids;
  for (const Language& each : served) {
    if (!served_ids.empty()) served_ids += ", ";
    served_ids += each.id;
  }
  return core::fail(core::ErrorCode::unknown_language,
                    fmt::format("Language '{}' is unknown or not installed. Served languages: {}.",
                                asked, served_ids.empty() ? "none" : served_ids));
}

RunResult internal_error_result(const std::string& id, std::string_view reason) {
  RunResult result;
  result.id = id;
  result.verdict = Verdict::internal_error;
  result.stderr_data = fmt::format("ide: internal error: {}\n", reason);
  return result;
}

/// "host:pid:random": unique among the processes sharing a store, readable in its rows.
std::string lease_owner_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::random_device random;
  return fmt::format("{}:{}:{:08x}", host, ::getpid(), random());
}

core::Unexpected storage_error(std::string_view what, std::string_view id,
                               const std::exception& e) {
  core::log::error("{} {}: {}", what, id, e.what());
  return core::Unexpected(core::store_error(e, "result"));
}

}  // namespace

ResultServiceImpl::ResultServiceImpl(std::unique_ptr<ResultStore> store,
                                     std::unique_ptr<sandbox::Sandbox> sandbox,
                                     LanguageCatalogue catalogue, const core::Clock& clock,
                                     ServiceOptions options)
    : store_(std::move(store)),
      sandbox_(std::move(sandbox)),
      catalogue_(std::move(catalogue)),
      clock_(clock),
      options_(options),
      executor_(options.limits),
      owner_(lease_owner_name()),
      metrics_(*options.metrics) {
  // No worker of this process has started: in a store only this process opens, a job marked
  // running was cut short by a crash.
  if (const std::size_t interrupted = store_->requeue_interrupted(); interrupted > 0) {
    core::log::warn("{} job(s) were interrupted by a crash and will run again", interrupted);
  }
  events_.job_queued = [this] { signal_work(); };
  events_.result_done = [this](const std::string& id) { answer_if_done(id); };
  events_.missed = [this] {
    signal_work();
    std::vector<std::string> ids;
    {
      std::lock_guard lock(mutex_);
      for (auto it = waiters_.begin(); it != waiters_.end(); it = waiters_.upper_bound(it->first)) {
        ids.push_back(it->first);
      }
    }
    for (const std::string& id : ids) answer_if_done(id);
  };
  store_->subscribe(events_);
  timer_ = std::thread([this] { timer_loop(); });
}

ResultServiceImpl::~ResultServiceImpl() {
  stop(std::chrono::milliseconds(0));
  std::vector<Pending> pending;
  {
    std::lock_guard lock(mutex_);
    timer_exit_ = true;
    pending = take_all_waiters_locked();
  }
  timer_cv_.notify_all();
  timer_.join();
  answer_with_status(std::move(pending));
  // Its event thread calls into this object: it goes before the members it uses.
  store_.reset();
}

core::Result<void> ResultServiceImpl::enqueue(std::string_view submission_id) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return core::fail(core::ErrorCode::shutting_down,
                        "The server is shutting down and accepts no new work.");
    }
  }
  EnqueueOutcome outcome;
  try {
    outcome = store_->enqueue(submission_id, core::to_unix_ms(clock_.now()), options_.max_queue);
  } catch (const std::exception& e) {
    return storage_error("enqueue", submission_id, e);
  }
  switch (outcome) {
    case EnqueueOutcome::queue_full:
      return core::fail(core::ErrorCode::queue_full,
                        fmt::format("The execution queue is full ({} jobs waiting); retry later.",
                                    options_.max_queue));
    case EnqueueOutcome::already_known:
      return {};
    case EnqueueOutcome::added:
      break;
  }
  signal_work();
  return {};
}

core::Result<RunResult> ResultServiceImpl::get_result(std::string_view submission_id) {
  try {
    const std::optional<JobRecord> job = store_->find_job(submission_id);
    if (job && job->state != Status::done) {
      RunResult status;
      status.id = job->id;
      status.status = job->state;
      status.created_at = core::from_unix_ms(job->enqueued_at_ms);
      return status;
    }
    // Done: the job and its result were committed together (and are purged together).
    if (job) {
      if (std::optional<RunResult> result = store_->find_result(submission_id)) return *result;
    }
  } catch (const std::exception& e) {
    return storage_error("get_result", submission_id, e);
  }
  return core::fail(core::ErrorCode::not_found, "No submission has this id.");
}

core::Result<WatchHandle> ResultServiceImpl::watch_result(std::string_view submission_id,
                                                          std::chrono::milliseconds wait,
                                                          CallbackExecutor executor,
                                                          ResultCallback done) {
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  // Every answer goes through the caller's executor and is dropped once cancelled.
  ResultCallback answer = [executor = std::move(executor), done = std::move(done),
                           cancelled](core::Result<RunResult> result) {
    executor([done, cancelled, result = std::move(result)]() mutable {
      if (!cancelled->load()) done(std::move(result));
    });
  };
  std::uint64_t token = 0;
  {
    std::unique_lock lock(mutex_);
    if (wait.count() > 0 && !stopping_) {
      token = ++next_token_;
      auto waiter =
          waiters_.emplace(std::string(submission_id), Waiter{token, std::move(answer), {}});
      waiter->second.deadline = deadlines_.emplace(SteadyClock::now() + wait, waiter);
    }
  }
  if (token == 0) {
    answer(get_result(submission_id));
    return WatchHandle(std::move(cancelled));
  }
  timer_cv_.notify_one();
  // Registered before the look: a result committed from now on finds the waiter in finish() or
  // in its event, so none is missed between the two.
  core::Result<RunResult> now = get_result(submission_id);
  if (!now || now->status == Status::done) {
    if (ResultCallback mine = take_waiter(submission_id, token)) mine(std::move(now));
  }
  return WatchHandle(std::move(cancelled));
}

core::Result<void> ResultServiceImpl::check_runnable(std::string_view language,
                                                     const core::RequestedLimits& limits) {
  if (catalogue_.find(language) == nullptr) return unknown_language(language, catalogue_.served());
  return options_.limits.check(limits);
}

core::Result<std::vector<Language>> ResultServiceImpl::languages() { return catalogue_.served(); }

core::Result<QueueStats> ResultServiceImpl::queue_stats() {
  try {
    return store_->queue_stats(core::to_unix_ms(clock_.now()));
  } catch (const std::exception& e) {
    return storage_error("queue_stats", "", e);
  }
}

core::Result<PurgeOutcome> ResultServiceImpl::purge(
    const std::vector<std::string>& submission_ids) {
  // The store leaves queued and running jobs alone, whichever process runs them.
  try {
    return store_->purge(submission_ids);
  } catch (const std::exception& e) {
    return storage_error("purging results", "", e);
  }
}

core::Result<LiveOutput> ResultServiceImpl::read_live(std::string_view submission_id,
                                                      std::uint64_t from_offset,
                                                      std::chrono::milliseconds wait) {
  wait = std::clamp(wait, std::chrono::milliseconds(0), kMaxLiveWait);
  if (auto live = live_.find(submission_id)) return live->read(from_offset, wait);
  core::Result<RunResult> now = get_result(submission_id);
  if (!now) return core::Unexpected(now.error());
  if (now->status == Status::done) return LiveOutput{{}, from_offset, true};
  // Queued, or claimed by this service a moment ago: it may begin here within the wait.
  const auto begin_wait = now->status == Status::queued
                              ? wait
                              : std::min(wait, std::chrono::milliseconds(100));
  if (auto live = live_.wait_for(submission_id, begin_wait)) return live->read(from_offset, {});
  if (now->status == Status::queued) return LiveOutput{{}, from_offset, false};
  return core::fail(core::ErrorCode::unavailable,
                    "The submission runs in another worker process; its live output is there.");
}

core::Result<StdinReply> ResultServiceImpl::send_stdin(std::string_view submission_id,
                                                       std::string_view bytes, bool close) {
  if (auto live = live_.find(submission_id)) return live->send(bytes, close);
  core::Result<RunResult> now = get_result(submission_id);
  if (!now && now.error().code == core::ErrorCode::not_found) return StdinReply::not_found;
  if (!now) return core::Unexpected(now.error());
  if (now->status == Status::done) return StdinReply::ended;
  if (now->status == Status::queued) return StdinReply::not_started;
  return core::fail(core::ErrorCode::unavailable,
                    "The submission runs in another worker process; its stdin is there.");
}

void ResultServiceImpl::start(JobSource& jobs) {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  jobs_ = &jobs;
  open_boxes_.assign(options_.workers, nullptr);
  for (unsigned slot = 0; slot < options_.workers; ++slot) {
    workers_.emplace_back([this, slot] { worker_loop(slot); });
  }
  lease_thread_ = std::thread([this] { lease_loop(); });
  core::log::info("{} worker(s) started as {}", options_.workers, owner_);
}

void ResultServiceImpl::stop(std::chrono::milliseconds grace) {
  std::vector<std::thread> workers;
  {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    work_cv_.notify_all();
    if (!idle_cv_.wait_for(lock, grace, [this] { return busy_ == 0; })) {
      core::log::warn(
          "{} job(s) still running after the grace period: killing them; they go back to the "
          "queue",
          busy_);
      cancelled_ = true;
      for (sandbox::Box* box : open_boxes_) {
        if (box != nullptr) box->cancel();
      }
    }
    workers.swap(workers_);
  }
  for (std::thread& worker : workers) worker.join();
  std::vector<Pending> pending;
  {
    std::lock_guard lock(mutex_);
    lease_exit_ = true;
    pending = take_all_waiters_locked();
  }
  lease_cv_.notify_all();
  if (lease_thread_.joinable()) lease_thread_.join();
  answer_with_status(std::move(pending));
}

void ResultServiceImpl::worker_loop(unsigned slot) {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const std::uint64_t seen = work_signal_;
    ++busy_;
    lock.unlock();
    const JobEnd end = run_next(slot);
    lock.lock();
    --busy_;
    idle_cv_.notify_all();
    if (end == JobEnd::retry_later) {
      // Pause this worker so that a failing disk or submission store is not hammered.
      work_cv_.wait_for(lock, options_.retry_pause, [this] { return stopping_; });
    } else if (end == JobEnd::none_queued) {
      // Woken by an enqueue or a store event; the timeout finds leases that ran out.
      work_cv_.wait_for(lock, options_.lease,
                        [this, seen] { return stopping_ || work_signal_ != seen; });
    }
  }
}

void ResultServiceImpl::lease_loop() {
  std::unique_lock lock(mutex_);
  while (!lease_cv_.wait_for(lock, options_.lease / 3, [this] { return lease_exit_; })) {
    if (held_.empty()) continue;
    const std::vector<std::string> held(held_.begin(), held_.end());
    lock.unlock();
    try {
      store_->renew_leases(owner_, held, options_.lease);
    } catch (const std::exception& e) {
      core::log::warn("cannot renew the leases of {} running job(s): {}", held.size(), e.what());
      core::count_store_error(e, "result");
    }
    lock.lock();
  }
}

ResultServiceImpl::JobEnd ResultServiceImpl::run_next(unsigned slot) {
  std::optional<ClaimedJob> claimed;
  try {
    claimed = store_->claim(owner_, core::to_unix_ms(clock_.now()), options_.lease);
  } catch (const std::exception& e) {
    core::log::error("cannot claim a job: {}", e.what());
    core::count_store_error(e, "result");
    return JobEnd::retry_later;
  }
  if (!claimed) return JobEnd::none_queued;
  {
    std::lock_guard lock(mutex_);
    held_.insert(claimed->id);
  }
  // Both streams of the run stage: the sandbox keeps no more of them.
  const auto live_bytes = static_cast<std::size_t>(2 * options_.limits.run.output_bytes);
  const JobEnd end = run_job(slot, *claimed, *live_.begin(claimed->id, live_bytes));
  live_.end(claimed->id, end == JobEnd::finished);
  std::lock_guard lock(mutex_);
  held_.erase(claimed->id);
  return end;
}

ResultServiceImpl::JobEnd ResultServiceImpl::run_job(unsigned slot, const ClaimedJob& claimed,
                                                     LiveRun& live) {
  const std::string& id = claimed.id;
  RunResult result;
  std::string language = "unknown";
  if (claimed.attempts >= kMaxCrashes) {
    core::log::error("submission {}: interrupted by {} crashes, not running it again", id,
                     claimed.attempts);
    result = internal_error_result(
        id, fmt::format("the run was interrupted {} times by a server crash", claimed.attempts));
  } else {
    bool stopping = false;
    {
      std::lock_guard lock(mutex_);
      stopping = stopping_;
    }
    if (stopping) {
      release(id);
      return JobEnd::left_queued;
    }
    core::Result<JobInput> job = jobs_->fetch(id);
    if (job) {
      language = job->language;
      std::optional<RunResult> executed = execute(slot, *job, live);
      if (!executed) {
        release(id);
        return JobEnd::left_queued;
      }
      result = std::move(*executed);
    } else if (job.error().code == core::ErrorCode::not_found) {
      result = internal_error_result(id, "the submission no longer exists");
    } else {
      core::log::warn("submission {}: cannot fetch it: {}", id, job.error().message);
      release(id);
      return JobEnd::retry_later;
    }
  }
  result.created_at = core::from_unix_ms(claimed.enqueued_at_ms);
  const RunOutcome outcome{std::move(language), result.verdict, result.wall_ms, result.memory_kb};
  // Counted before finish() answers the waiters, so a client that saw the result also sees the
  // run in /metrics. A run whose result cannot be stored still ran.
  metrics_.record_run(outcome);
  try {
    finish(std::move(result));
    return JobEnd::finished;
  } catch (const std::exception& e) {
    core::log::error("submission {}: cannot store its result: {}", id, e.what());
    core::count_store_error(e, "result");
    release(id);
    return JobEnd::retry_later;
  }
}

void ResultServiceImpl::release(const std::string& id) {
  try {
    store_->release(id, owner_);
  } catch (const std::exception& e) {
    // Still running under this service's lease, no longer renewed: it runs again once it lapses.
    core::log::error("submission {}: cannot put it back in the queue: {}", id, e.what());
    core::count_store_error(e, "result");
  }
}

std::optional<RunResult> ResultServiceImpl::execute(unsigned slot, const JobInput& job,
                                                    LiveRun& live) {
  const LanguageSpec* language = catalogue_.find(job.language);
  if (language == nullptr) {
    return internal_error_result(
        job.id, fmt::format("the language '{}' is not installed on this server", job.language));
  }
  core::Result<std::unique_ptr<sandbox::Box>> box = sandbox_->open_box(slot);
  if (!box) {
    core::log::error("submission {}: cannot open a sandbox box: {}", job.id, box.error().message);
    metrics_.record_sandbox_failure(RunMetrics::SandboxFailure::setup);
    return internal_error_result(job.id,
                                 fmt::format("no sandbox available: {}", box.error().message));
  }
  {
    std::lock_guard lock(mutex_);
    if (cancelled_) return std::nullopt;
    open_boxes_[slot] = box->get();
  }
  // The runs of tests stream nothing: their inputs may be hidden from whoever watches.
  const bool streams = job.tests.empty();
  live.start(streams && job.interactive);
  RunResult result = executor_.execute(*language, job, **box, streams ? &live : nullptr);
  if (result.verdict == Verdict::internal_error) {
    metrics_.record_sandbox_failure(RunMetrics::SandboxFailure::run);
  }
  {
    // stop() cancels boxes under the mutex: once this slot is cleared, the box may go.
    std::lock_guard lock(mutex_);
    open_boxes_[slot] = nullptr;
    if (cancelled_) return std::nullopt;
  }
  return result;
}

void ResultServiceImpl::finish(RunResult result) {
  result.status = Status::done;
  result.finished_at = core::from_unix_ms(core::to_unix_ms(clock_.now()));
  store_->finish(result);
  std::vector<Pending> pending;
  {
    std::lock_guard lock(mutex_);
    pending = take_waiters_locked(result.id);
  }
  for (std::size_t i = 0; i < pending.size(); ++i) {
    // The last waiter may have the result itself; the others get copies.
    if (i + 1 == pending.size()) {
      pending[i].done(std::move(result));
    } else {
      pending[i].done(result);
    }
  }
}

void ResultServiceImpl::answer_if_done(const std::string& id) {
  {
    std::lock_guard lock(mutex_);
    if (waiters_.find(id) == waiters_.end()) return;
  }
  core::Result<RunResult> now = get_result(id);
  if (now && now->status != Status::done) return;
  std::vector<Pending> pending;
  {
    std::lock_guard lock(mutex_);
    pending = take_waiters_locked(id);
  }
  for (Pending& each : pending) each.done(now);
}

void ResultServiceImpl::timer_loop() {
  std::unique_lock lock(mutex_);
  while (!timer_exit_) {
    if (deadlines_.empty()) {
      timer_cv_.wait(lock);
    } else {
      // A copy: wait_until reads its deadline again after waking, and by then another thread
      // may have erased the node the reference pointed into (ASan: heap-use-after-free).
      const SteadyClock::time_point deadline = deadlines_.begin()->first;
      timer_cv_.wait_until(lock, deadline);
    }
    const SteadyClock::time_point now = SteadyClock::now();
    std::vector<Pending> expired;
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      const WaiterMap::iterator waiter = deadlines_.begin()->second;
      deadlines_.erase(deadlines_.begin());
      expired.push_back({waiter->first, std::move(waiter->second.done)});
      waiters_.erase(waiter);
    }
    if (expired.empty()) continue;
    lock.unlock();
    answer_with_status(std::move(expired));
    lock.lock();
  }
}

ResultCallback ResultServiceImpl::take_waiter(std::string_view id, std::uint64_t token) {
  std::lock_guard lock(mutex_);
  auto [first, last] = waiters_.equal_range(id);
  for (auto it = first; it != last; ++it) {
    if (it->second.token != token) continue;
    ResultCallback done = std::move(it->second.done);
    deadlines_.erase(it->second.deadline);
    waiters_.erase(it);
    return done;
  }
  return {};
}

std::vector<ResultServiceImpl::Pending> ResultServiceImpl::take_waiters_locked(
    std::string_view id) {
  std::vector<Pending> pending;
  auto [first, last] = waiters_.equal_range(id);
  for (auto it = first; it != last; ++it) {
    pending.push_back({it->first, std::move(it->second.done)});
    deadlines_.erase(it->second.deadline);
  }
  waiters_.erase(first, last);
  return pending;
}

std::vector<ResultServiceImpl::Pending> ResultServiceImpl::take_all_waiters_locked() {
  std::vector<Pending> pending;
  for (auto& [id, waiter] : waiters_) pending.push_back({id, std::move(waiter.done)});
  waiters_.clear();
  deadlines_.clear();
  return pending;
}

void ResultServiceImpl::answer_with_status(std::vector<Pending> pending) {
  for (Pending& each : pending) each.done(get_result(each.id));
}

void ResultServiceImpl::signal_work() {
  {
    std::lock_guard lock(mutex_);
    ++work_signal_;
  }
  work_cv_.notify_one();
}

}  // namespace ide::result
