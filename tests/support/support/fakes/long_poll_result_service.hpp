// An in-memory ResultService whose watch_result really waits: a waiter is answered as soon as the
// test finishes the run, or when its wait runs out, from the fake's own thread (as the real
// module answers from a worker). For the HTTP long-poll tests. Thread-safe; nothing runs.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "result/result_service.hpp"

namespace ide::test {

class LongPollResultService final : public result::ResultService {
 public:
  LongPollResultService() : thread_([this] { loop(); }) {}
  LongPollResultService(const LongPollResultService&) = delete;
  LongPollResultService& operator=(const LongPollResultService&) = delete;
  /// Waiters still pending are dropped unanswered, like a module that stopped.
  ~LongPollResultService() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  core::Result<void> enqueue(std::string_view submission_id) override {
    std::lock_guard lock(mutex_);
    if (failure_) return core::fail(*failure_, "fake enqueue failure");
    result::RunResult run;
    run.id = std::string(submission_id);
    run.status = result::Status::queued;
    runs_.try_emplace(run.id, std::move(run));
    return {};
  }

  core::Result<result::RunResult> get_result(std::string_view submission_id) override {
    std::lock_guard lock(mutex_);
    ++get_calls_;
    auto it = runs_.find(std::string(submission_id));
    if (it == runs_.end()) return core::fail(core::ErrorCode::not_found, "no such submission");
    return it->second;
  }

  /// Answers through `executor`; a watch cancelled before its answer is never answered.
  core::Result<result::WatchHandle> watch_result(std::string_view submission_id,
                                                 std::chrono::milliseconds wait,
                                                 result::CallbackExecutor executor,
                                                 result::ResultCallback done) override {
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    result::ResultCallback answer = [executor, done, cancelled](core::Result<result::RunResult> r) {
      executor([done, cancelled, r = std::move(r)]() mutable {
        if (!cancelled->load()) done(std::move(r));
      });
    };
    std::unique_lock lock(mutex_);
    ++get_calls_;
    auto it = runs_.find(std::string(submission_id));
    if (it == runs_.end() || it->second.status == result::Status::done || wait.count() <= 0) {
      core::Result<result::RunResult> now =
          it == runs_.end() ? core::fail(core::ErrorCode::not_found, "no such submission")
                            : core::Result<result::RunResult>(it->second);
      lock.unlock();
      answer(std::move(now));
      return result::WatchHandle(std::move(cancelled));
    }
    waiters_.push_back({it->first, std::chrono::steady_clock::now() + wait, std::move(answer)});
    changed_.notify_all();
    return result::WatchHandle(std::move(cancelled));
  }

  core::Result<void> check_runnable(std::string_view language,
                                    const core::RequestedLimits& limits) override {
    auto served = languages();
    for (const result::Language& each : *served) {
      if (each.id == language) return core::LimitSettings{}.check(limits);
    }
    return core::fail(core::ErrorCode::unknown_language, "not served");
  }

  core::Result<std::vector<result::Language>> languages() override {
    return std::vector<result::Language>{{.id = "python",
                                          .name = "Python",
                                          .version = "3.11.2",
                                          .aliases = {"py", "py3", "python3"},
                                          .judge0_id = 71},
                                         {.id = "c",
                                          .name = "C",
                                          .version = "12.2.0",
                                          .aliases = {"gcc"},
                                          .judge0_id = 50,
                                          .piston_runtime = "gcc",
                                          .compiled = true}};
  }

  /// The runs not done count as queued.
  core::Result<result::QueueStats> queue_stats() override {
    std::lock_guard lock(mutex_);
    result::QueueStats stats;
    for (const auto& [id, run] : runs_) {
      if (run.status != result::Status::done) ++stats.queued;
    }
    return stats;
  }

  /// Forgets done runs; runs not done yet are skipped, like the real one.
  core::Result<result::PurgeOutcome> purge(const std::vector<std::string>& ids) override {
    std::lock_guard lock(mutex_);
    result::PurgeOutcome outcome;
    for (const std::string& id : ids) {
      auto it = runs_.find(id);
      if (it == runs_.end()) continue;
      if (it->second.status != result::Status::done) {
        outcome.skipped.push_back(id);
        continue;
      }
      runs_.erase(it);
      ++outcome.purged;
    }
    return outcome;
  }

  /// What add_live() gave `submission_id` from `from_offset` on, at once whatever `wait`;
  /// done once its result is done. not_found for an id neither accepted nor given a result.
  core::Result<result::LiveOutput> read_live(std::string_view submission_id,
                                             std::uint64_t from_offset,
                                             std::chrono::milliseconds /*wait*/) override {
    auto now = get_result(submission_id);
    if (!now) return core::Unexpected(now.error());
    std::lock_guard lock(mutex_);
    result::LiveOutput answer{{}, from_offset, now->status == result::Status::done};
    std::uint64_t at = 0;
    for (const result::LiveChunk& chunk : live_[std::string(submission_id)].chunks) {
      const std::uint64_t end = at + chunk.bytes.size();
      if (end > from_offset) {
        const std::size_t skip = from_offset > at ? static_cast<std::size_t>(from_offset - at) : 0;
        answer.chunks.push_back({chunk.stream, chunk.bytes.substr(skip)});
      }
      at = end;
    }
    answer.next_offset = std::max(at, from_offset);
    return answer;
  }

  /// Keeps `bytes` for stdin_received() when set_interactive() named the id and its stdin is
  /// open; ended once its result is done or its stdin closed.
  core::Result<result::StdinReply> send_stdin(std::string_view submission_id,
                                              std::string_view bytes, bool close) override {
    auto now = get_result(submission_id);
    if (!now) return result::StdinReply::not_found;
    std::lock_guard lock(mutex_);
    Live& live = live_[std::string(submission_id)];
    if (now->status == result::Status::done || live.stdin_closed) return result::StdinReply::ended;
    if (!live.interactive) return result::StdinReply::not_interactive;
    live.stdin += bytes;
    live.stdin_closed = close;
    return result::StdinReply::accepted;
  }

  // --- controls and observations for tests ---

  /// Output read_live() answers for `id` from now on, after what it had.
  void add_live(const std::string& id, result::LiveStream stream, std::string bytes) {
    std::lock_guard lock(mutex_);
    live_[id].chunks.push_back({stream, std::move(bytes)});
  }
  void set_interactive(const std::string& id) {
    std::lock_guard lock(mutex_);
    live_[id].interactive = true;
  }
  /// What send_stdin() accepted for `id`, and whether its stdin was closed.
  std::pair<std::string, bool> stdin_received(const std::string& id) {
    std::lock_guard lock(mutex_);
    return {live_[id].stdin, live_[id].stdin_closed};
  }


  /// Sets the whole state of run.id (and answers its waiters if it is done).
  void set(result::RunResult run) {
    {
      std::lock_guard lock(mutex_);
      std::string id = run.id;
      runs_.insert_or_assign(std::move(id), std::move(run));
    }
    changed_.notify_all();
  }
  void set_status(const std::string& id, result::Status status) {
    {
      std::lock_guard lock(mutex_);
      result::RunResult& run = runs_[id];
      run.id = id;
      run.status = status;
    }
    changed_.notify_all();
  }
  void fail_enqueue_with(std::optional<core::ErrorCode> code) {
    std::lock_guard lock(mutex_);
    failure_ = code;
  }
  /// Blocks until at least `count` watch_result calls wait at once (or 20 s pass); returns whether
  /// they did.
  bool wait_for_waiters(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(20),
                             [&] { return waiters_.size() >= count; });
  }
  std::size_t get_calls() const {
    std::lock_guard lock(mutex_);
    return get_calls_;
  }

 private:
  struct Waiter {
    std::string id;
    std::chrono::steady_clock::time_point deadline;
    result::ResultCallback done;
  };

  void loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      const auto now = std::chrono::steady_clock::now();
      std::vector<std::pair<result::ResultCallback, result::RunResult>> due;
      auto next = now + std::chrono::hours(1);
      for (auto it = waiters_.begin(); it != waiters_.end();) {
        const result::RunResult& run = runs_[it->id];
        if (run.status == result::Status::done || it->deadline <= now) {
          due.emplace_back(std::move(it->done), run);
          it = waiters_.erase(it);
        } else {
          next = std::min(next, it->deadline);
          ++it;
        }
      }
      if (!due.empty()) {
        lock.unlock();
        for (auto& [done, run] : due) done(std::move(run));
        due.clear();
        lock.lock();
        continue;
      }
      changed_.wait_until(lock, next);
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, result::RunResult> runs_;
  std::vector<Waiter> waiters_;
  std::optional<core::ErrorCode> failure_;
  std::size_t get_calls_ = 0;
  struct Live {
    std::vector<result::LiveChunk> chunks;
    bool interactive = false;
    std::string stdin;
    bool stdin_closed = false;
  };
  std::map<std::string, Live> live_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ide::test
