// Storage of the result module (results.db): the durable job queue and the finished results.
// Abstract so that another engine can replace SQLite behind the same interface (SPEC section 2).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/sqlite.hpp"
#include "result/result_service.hpp"
#include "stored_test_outcomes.hpp"

namespace ide::result {

/// One row of the queue.
struct JobRecord {
  std::string id;
  Status state = Status::queued;
  std::int64_t enqueued_at_ms = 0;
  std::optional<std::int64_t> started_at_ms;
  std::int64_t attempts = 0;  // runs interrupted by a crash so far
};

/// A job a worker has claimed: it runs it under a lease until finish() or release().
struct ClaimedJob {
  std::string id;
  std::int64_t enqueued_at_ms = 0;
  std::int64_t attempts = 0;  // runs interrupted by a crash so far, this claim's reason included
};

/// A result's outputs as both stores keep them: each compressed (or not) with its codec, and its
/// test outcomes as their column holds them.
/// Encoded before a store takes its lock or connection, so that others wait only for the write.
struct EncodedOutputs {
  explicit EncodedOutputs(const RunResult& result)
      : stdout_data(result.stdout_data),
        stderr_data(result.stderr_data),
        compile_output(result.compile_output),
        tests(encode_test_outcomes(result.tests)),
        finished_at_ms(
            core::to_unix_ms(result.finished_at.value_or(std::chrono::system_clock::now()))) {}

  const core::sqlite::EncodedBlob stdout_data;
  const core::sqlite::EncodedBlob stderr_data;
  const core::sqlite::EncodedBlob compile_output;
  const std::optional<std::string> tests;
  const std::int64_t finished_at_ms;
};

/// A job state as stored ("queued", "running", "done"). Throws on anything else.
inline Status parse_state(std::string_view text) {
  for (Status status : {Status::queued, Status::running, Status::done}) {
    if (to_string(status) == text) return status;
  }
  throw std::runtime_error(fmt::format("results: unknown job state '{}'", text));
}

/// A verdict as stored (to_string's text). Throws on anything else.
inline Verdict parse_verdict(std::string_view text) {
  for (Verdict v : kAllVerdicts) {
    if (to_string(v) == text) return v;
  }
  throw std::runtime_error(fmt::format("results: unknown verdict '{}'", text));
}

/// QueueStats from a store's counts.
inline QueueStats queue_stats_of(std::int64_t queued, std::optional<std::int64_t> oldest_queued_ms,
                                 std::int64_t live_leases, std::int64_t expired_leases,
                                 std::int64_t now_ms) {
  QueueStats stats;
  stats.queued = static_cast<std::size_t>(queued);
  if (oldest_queued_ms)
    stats.oldest_queued_age_ms = std::max<std::int64_t>(0, now_ms - *oldest_queued_ms);
  stats.live_leases = static_cast<std::size_t>(live_leases);
  stats.expired_leases = static_cast<std::size_t>(expired_leases);
  return stats;
}

enum class EnqueueOutcome { added, already_known, queue_full };

/// What other processes sharing the store did, for a store that can tell (PostgreSQL's
/// LISTEN/NOTIFY). Called on the store's own thread.
struct StoreEvents {
  std::function<void()> job_queued;                        // a job may be claimable
  std::function<void(const std::string& id)> result_done;  // `id` has its result
  std::function<void()> missed;  // events may have been lost (a reconnect): check everything
};

/// Every method commits before it returns and throws (core::sqlite::SqliteError, a
/// core::pg::PgError, core::StorageUnavailable or another std::exception) when storage fails.
/// Thread-safe.
///
/// Jobs are claimed under a lease: `owner` names one running ResultService (any process), which
/// renews the leases of its jobs while it runs them. A job whose lease ran out belongs to a
/// worker that died: another claims it and counts the crash in attempts. Leases follow the
/// store's own clock (the host's real time for SQLite, the database's for PostgreSQL), never the
/// `now_ms` callers pass for the timestamps they keep.
class ResultStore {
 public:
  virtual ~ResultStore() = default;

  /// Adds `id` as queued unless it is known (any state); refuses when `max_queued` jobs are
  /// already queued.
  virtual EnqueueOutcome enqueue(std::string_view id, std::int64_t now_ms,
                                 std::size_t max_queued) = 0;
  /// For a store only one process opens (SQLite): every job left running was cut short by a
  /// crash of that process, and goes back to queued with attempts + 1 at once. A shared store
  /// (PostgreSQL) leaves them to their leases and returns 0. Returns how many were requeued.
  virtual std::size_t requeue_interrupted() = 0;
  /// Claims the job to run next for `owner` until `lease` from now: a job whose lease ran out
  /// (attempts + 1), else the oldest queued one; `now_ms` is its start time. nullopt when there
  /// is none.
  virtual std::optional<ClaimedJob> claim(std::string_view owner, std::int64_t now_ms,
                                          std::chrono::milliseconds lease) = 0;
  /// Extends the leases `owner` holds on the jobs `ids` to `lease` from now.
  virtual void renew_leases(std::string_view owner, const std::vector<std::string>& ids,
                            std::chrono::milliseconds lease) = 0;
  /// The running job `id` goes back to queued, attempts unchanged (a deliberate stop or a
  /// transient failure, not a crash), if `owner` still holds it.
  virtual void release(std::string_view id, std::string_view owner) = 0;
  /// Writes `result` (status done, finished_at set) and marks its job done, in one transaction.
  /// A job has at most one result: a second call for the same id keeps the first. Writes nothing
  /// when the job is unknown (purged).
  virtual void finish(const RunResult& result) = 0;
  virtual std::optional<JobRecord> find_job(std::string_view id) = 0;
  /// The finished result with its outputs, or nullopt when the job is unknown or not done.
  virtual std::optional<RunResult> find_result(std::string_view id) = 0;
  /// Deletes the jobs and results of `ids` except jobs queued or running (listed in `skipped`),
  /// a batch per transaction; rows deleted before a throw stay deleted.
  virtual PurgeOutcome purge(const std::vector<std::string>& ids) = 0;
  /// The queue as every process sharing the store sees it; ages count up to `now_ms`.
  virtual QueueStats queue_stats(std::int64_t now_ms) = 0;
  /// From now on tells `events` what other processes do; a store nobody else opens never calls
  /// them. Call at most once, before any job is claimed; `events` must outlive the store.
  virtual void subscribe(const StoreEvents& events) { (void)events; }
};

}  // namespace ide::result
