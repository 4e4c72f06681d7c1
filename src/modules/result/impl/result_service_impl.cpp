#include "result_service_impl.hpp"

#include <atomic>
#include <exception>
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
      executor_(options.limits) {
  // No worker of this process has started, so a job marked running was cut short by a crash.
  if (const std::size_t interrupted = store_->requeue_interrupted(); interrupted > 0) {
    core::log::warn("{} job(s) were interrupted by a crash and will run again", interrupted);
  }
  for (JobRecord& job : store_->queued_jobs()) {
    const core::TimePoint enqueued_at = core::from_unix_ms(job.enqueued_at_ms);
    if (job.attempts >= kMaxCrashes) {
      core::log::error("submission {}: interrupted by {} crashes, not running it again", job.id,
                       job.attempts);
      RunResult result = internal_error_result(
          job.id, fmt::format("the run was interrupted {} times by a server crash", job.attempts));
      result.created_at = enqueued_at;
      result.status = Status::done;
      result.finished_at = clock_.now();
      store_->finish(result);
      continue;
    }
    active_.emplace(job.id, ActiveJob{Status::queued, enqueued_at});
    queue_.push_back(std::move(job.id));
  }
  timer_ = std::thread([this] { timer_loop(); });
}

ResultServiceImpl::~ResultServiceImpl() {
  stop(std::chrono::milliseconds(0));
  std::vector<Answer> answers;
  {
    std::lock_guard lock(mutex_);
    timer_exit_ = true;
    answers = take_all_waiters_locked();
  }
  timer_cv_.notify_all();
  timer_.join();
  deliver(std::move(answers));
}

core::Result<void> ResultServiceImpl::enqueue(std::string_view submission_id) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return core::fail(core::ErrorCode::shutting_down,
                        "The server is shutting down and accepts no new work.");
    }
    if (active_.find(submission_id) != active_.end()) return {};
  }
  // Whole milliseconds, as stored, so a status from memory and one from the file agree.
  const core::TimePoint now = core::from_unix_ms(core::to_unix_ms(clock_.now()));
  EnqueueOutcome outcome;
  try {
    outcome = store_->enqueue(submission_id, core::to_unix_ms(now), options_.max_queue);
  } catch (const std::exception& e) {
    core::log::error("enqueue {}: {}", submission_id, e.what());
    return core::Unexpected(core::sqlite::to_error(e));
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
  {
    std::lock_guard lock(mutex_);
    active_.emplace(std::string(submission_id), ActiveJob{Status::queued, now});
    queue_.emplace_back(submission_id);
  }
  work_cv_.notify_one();
  return {};
}

core::Result<RunResult> ResultServiceImpl::get_result(std::string_view submission_id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = active_.find(submission_id); it != active_.end()) {
      return status_locked(it->first, it->second);
    }
  }
  // Not queued or running in this process: finished, or unknown. The result is committed before
  // its job leaves active_, so a job that just finished is found here.
  try {
    if (std::optional<RunResult> result = store_->find_result(submission_id)) return *result;
    // Enqueued by a concurrent call that has committed but not yet reached active_.
    if (std::optional<JobRecord> job = store_->find_job(submission_id);
        job && job->state != Status::done) {
      RunResult status;
      status.id = job->id;
      status.status = job->state;
      status.created_at = core::from_unix_ms(job->enqueued_at_ms);
      return status;
    }
  } catch (const std::exception& e) {
    core::log::error("get_result {}: {}", submission_id, e.what());
    return core::Unexpected(core::sqlite::to_error(e));
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
  {
    std::unique_lock lock(mutex_);
    if (auto it = active_.find(submission_id); it != active_.end() && wait.count() > 0 &&
                                               !stopping_) {
      auto waiter = waiters_.emplace(std::string(submission_id), Waiter{std::move(answer), {}});
      waiter->second.deadline = deadlines_.emplace(SteadyClock::now() + wait, waiter);
      lock.unlock();
      timer_cv_.notify_one();
      return WatchHandle(std::move(cancelled));
    }
  }
  answer(get_result(submission_id));
  return WatchHandle(std::move(cancelled));
}

core::Result<void> ResultServiceImpl::check_runnable(std::string_view language,
                                                     const core::RequestedLimits& limits) {
  if (catalogue_.find(language) == nullptr) return unknown_language(language, catalogue_.served());
  return options_.limits.check(limits);
}

core::Result<std::vector<Language>> ResultServiceImpl::languages() { return catalogue_.served(); }

core::Result<PurgeOutcome> ResultServiceImpl::purge(
    const std::vector<std::string>& submission_ids) {
  PurgeOutcome outcome;
  std::vector<std::string> idle;
  {
    // Queued and running jobs live in active_ until their result is committed; the store checks
    // its own state too, for a job enqueued between this look and its transaction.
    std::lock_guard lock(mutex_);
    for (const std::string& id : submission_ids) {
      if (active_.find(id) != active_.end()) {
        outcome.skipped.push_back(id);
      } else {
        idle.push_back(id);
      }
    }
  }
  try {
    PurgeOutcome stored = store_->purge(idle);
    outcome.purged = stored.purged;
    outcome.skipped.insert(outcome.skipped.end(), stored.skipped.begin(), stored.skipped.end());
  } catch (const std::exception& e) {
    core::log::error("purging results failed: {}", e.what());
    return core::Unexpected(core::sqlite::to_error(e));
  }
  return outcome;
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
  core::log::info("{} worker(s) started, {} job(s) queued", options_.workers, queue_.size());
}

void ResultServiceImpl::stop(std::chrono::milliseconds grace) {
  std::vector<std::thread> workers;
  {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    work_cv_.notify_all();
    if (!idle_cv_.wait_for(lock, grace, [this] { return busy_ == 0; })) {
      core::log::warn(
          "{} job(s) still running after the grace period: killing them; they stay "
          "queued for the next start",
          busy_);
      cancelled_ = true;
      for (sandbox::Box* box : open_boxes_) {
        if (box != nullptr) box->cancel();
      }
    }
    workers.swap(workers_);
  }
  for (std::thread& worker : workers) worker.join();
  std::vector<Answer> answers;
  {
    std::lock_guard lock(mutex_);
    answers = take_all_waiters_locked();
  }
  deliver(std::move(answers));
}

void ResultServiceImpl::worker_loop(unsigned slot) {
  std::unique_lock lock(mutex_);
  while (true) {
    work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    std::string id = std::move(queue_.front());
    queue_.pop_front();
    auto job = active_.find(id);
    if (job == active_.end()) continue;
    job->second.status = Status::running;
    ++busy_;
    lock.unlock();
    const JobEnd end = run_job(slot, id);
    lock.lock();
    --busy_;
    idle_cv_.notify_all();
    if (end == JobEnd::retry_later) {
      if (job = active_.find(id); job != active_.end()) {
        job->second.status = Status::queued;
        queue_.push_back(id);
      }
      // Pause this worker so that a failing disk or submission store is not hammered.
      work_cv_.wait_for(lock, options_.retry_pause, [this] { return stopping_; });
    } else if (end == JobEnd::left_queued) {
      if (job = active_.find(id); job != active_.end()) job->second.status = Status::queued;
    }
  }
}

ResultServiceImpl::JobEnd ResultServiceImpl::run_job(unsigned slot, const std::string& id) {
  try {
    store_->mark_running(id, core::to_unix_ms(clock_.now()));
  } catch (const std::exception& e) {
    core::log::error("submission {}: cannot mark it running: {}", id, e.what());
    return JobEnd::retry_later;
  }
  core::Result<JobInput> job = jobs_->fetch(id);
  RunResult result;
  if (job) {
    std::optional<RunResult> executed = execute(slot, *job);
    if (!executed) {
      try {
        store_->mark_queued(id);
      } catch (const std::exception& e) {
        // Still marked running: the next start re-queues it as interrupted.
        core::log::error("submission {}: {}", id, e.what());
      }
      return JobEnd::left_queued;
    }
    result = std::move(*executed);
  } else if (job.error().code == core::ErrorCode::not_found) {
    result = internal_error_result(id, "the submission no longer exists");
  } else {
    core::log::warn("submission {}: cannot fetch it: {}", id, job.error().message);
    try {
      store_->mark_queued(id);
    } catch (const std::exception& e) {
      core::log::error("submission {}: {}", id, e.what());
    }
    return JobEnd::retry_later;
  }
  try {
    finish(std::move(result));
    return JobEnd::finished;
  } catch (const std::exception& e) {
    core::log::error("submission {}: cannot store its result: {}", id, e.what());
    return JobEnd::retry_later;
  }
}

std::optional<RunResult> ResultServiceImpl::execute(unsigned slot, const JobInput& job) {
  const LanguageSpec* language = catalogue_.find(job.language);
  if (language == nullptr) {
    return internal_error_result(
        job.id,
        fmt::format("the language '{}' is not installed on this server", job.language));
  }
  core::Result<std::unique_ptr<sandbox::Box>> box = sandbox_->open_box(slot);
  if (!box) {
    core::log::error("submission {}: cannot open a sandbox box: {}", job.id,
                     box.error().message);
    return internal_error_result(job.id,
                                 fmt::format("no sandbox available: {}", box.error().message));
  }
  {
    std::lock_guard lock(mutex_);
    if (cancelled_) return std::nullopt;
    open_boxes_[slot] = box->get();
  }
  RunResult result = executor_.execute(*language, job, **box);
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
  {
    std::lock_guard lock(mutex_);
    if (auto job = active_.find(result.id); job != active_.end()) {
      result.created_at = job->second.enqueued_at;
    }
  }
  store_->finish(result);
  std::vector<ResultCallback> callbacks;
  {
    std::lock_guard lock(mutex_);
    active_.erase(result.id);
    auto [first, last] = waiters_.equal_range(result.id);
    for (auto it = first; it != last; ++it) {
      callbacks.push_back(std::move(it->second.done));
      deadlines_.erase(it->second.deadline);
    }
    waiters_.erase(first, last);
  }
  for (std::size_t i = 0; i < callbacks.size(); ++i) {
    // The last waiter may have the result itself; the others get copies.
    if (i + 1 == callbacks.size()) {
      callbacks[i](std::move(result));
    } else {
      callbacks[i](result);
    }
  }
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
    std::vector<Answer> answers;
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      const WaiterMap::iterator waiter = deadlines_.begin()->second;
      deadlines_.erase(deadlines_.begin());
      RunResult status;
      if (auto job = active_.find(waiter->first); job != active_.end()) {
        status = status_locked(job->first, job->second);
      } else {
        status.id = waiter->first;
      }
      answers.push_back({std::move(waiter->second.done), std::move(status)});
      waiters_.erase(waiter);
    }
    if (answers.empty()) continue;
    lock.unlock();
    deliver(std::move(answers));
    lock.lock();
  }
}

RunResult ResultServiceImpl::status_locked(const std::string& id, const ActiveJob& job) const {
  RunResult status;
  status.id = id;
  status.status = job.status;
  status.created_at = job.enqueued_at;
  return status;
}

std::vector<ResultServiceImpl::Answer> ResultServiceImpl::take_all_waiters_locked() {
  std::vector<Answer> answers;
  for (auto& [id, waiter] : waiters_) {
    RunResult status;
    if (auto job = active_.find(id); job != active_.end()) {
      status = status_locked(id, job->second);
    } else {
      status.id = id;
    }
    answers.push_back({std::move(waiter.done), std::move(status)});
  }
  waiters_.clear();
  deadlines_.clear();
  return answers;
}

void ResultServiceImpl::deliver(std::vector<Answer> answers) {
  for (Answer& answer : answers) answer.done(std::move(answer.result));
}

}  // namespace ide::result
