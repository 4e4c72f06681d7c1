// The PostgreSQL implementation of ResultStore, for result_store = "postgresql://...": one queue
// shared by the workers of every process on the database.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/pg.hpp"
#include "result_store.hpp"

namespace ide::result {

/// Jobs are claimed with FOR UPDATE SKIP LOCKED, so workers of any number of processes never
/// claim one job twice; leases are timed by the database's clock, which all hosts share. Every
/// enqueue, release and finish NOTIFYs, and a listening connection turns the other processes'
/// notifications into StoreEvents. Statements run on a small pool of connections.
class PgResultStore final : public ResultStore {
 public:
  /// Connects to `url` and creates or migrates the result tables. Throws
  /// core::StorageUnavailable when the server cannot be reached.
  explicit PgResultStore(const std::string& url, std::size_t connections = 4);
  PgResultStore(const PgResultStore&) = delete;
  PgResultStore& operator=(const PgResultStore&) = delete;
  /// Stops listening before the events' owner goes.
  ~PgResultStore() override;

  EnqueueOutcome enqueue(std::string_view id, std::int64_t now_ms, std::size_t max_queued) override;
  std::size_t requeue_interrupted() override;
  std::optional<ClaimedJob> claim(std::string_view owner, std::int64_t now_ms,
                                  std::chrono::milliseconds lease) override;
  void renew_leases(std::string_view owner, const std::vector<std::string>& ids,
                    std::chrono::milliseconds lease) override;
  void release(std::string_view id, std::string_view owner) override;
  void finish(const RunResult& result) override;
  std::optional<JobRecord> find_job(std::string_view id) override;
  std::optional<RunResult> find_result(std::string_view id) override;
  PurgeOutcome purge(const std::vector<std::string>& ids) override;
  QueueStats queue_stats(std::int64_t now_ms) override;
  void subscribe(const StoreEvents& events) override;

 private:
  void listen_loop(const StoreEvents& events);

  const std::string url_;
  core::pg::ConnectionPool pool_;
  std::mutex listen_mutex_;
  std::condition_variable listen_stop_cv_;
  bool listen_stop_ = false;
  std::thread listener_;
};

}  // namespace ide::result
