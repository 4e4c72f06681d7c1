// Storage of the result module (results.db): the durable job queue and the finished results.
// Abstract so that another engine can replace SQLite behind the same interface (SPEC section 2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result/result_service.hpp"

namespace ide::result {

/// One row of the queue.
struct JobRecord {
  std::string id;
  Status state = Status::queued;
  std::int64_t enqueued_at_ms = 0;
  std::optional<std::int64_t> started_at_ms;
  std::int64_t attempts = 0;  // runs interrupted by a crash so far
};

enum class EnqueueOutcome { added, already_known, queue_full };

/// Every method commits before it returns and throws (core::sqlite::SqliteError or another
/// std::exception) when storage fails. Thread-safe.
class ResultStore {
 public:
  virtual ~ResultStore() = default;

  /// Adds `id` as queued unless it is known (any state); refuses when `max_queued` jobs are
  /// already queued.
  virtual EnqueueOutcome enqueue(std::string_view id, std::int64_t now_ms,
                                 std::size_t max_queued) = 0;
  /// Puts every job left running (by a crash) back to queued with attempts + 1; returns how many.
  virtual std::size_t requeue_interrupted() = 0;
  /// The queued jobs, oldest enqueue first.
  virtual std::vector<JobRecord> queued_jobs() = 0;
  virtual void mark_running(std::string_view id, std::int64_t now_ms) = 0;
  /// A running job goes back to queued, attempts unchanged (a deliberate stop, not a crash).
  virtual void mark_queued(std::string_view id) = 0;
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
};

}  // namespace ide::result
