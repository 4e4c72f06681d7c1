// ResultStore on SQLite: <data_dir>/results.db. The only SQL of the result module.
#pragma once

#include <cstddef>
#include <filesystem>
#include <mutex>

#include "core/sqlite.hpp"
#include "result_store.hpp"

namespace ide::result {

/// Writes go through one connection under a mutex; reads through a small pool of connections, so
/// that a poll reading a multi-megabyte result waits neither for a worker writing one nor for
/// other reads (WAL lets them all overlap).
class SqliteResultStore final : public ResultStore {
 public:
  /// Opens (creating or migrating) the database file. Throws core::sqlite::SqliteError.
  explicit SqliteResultStore(const std::filesystem::path& file, std::size_t max_readers = 4);

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

 private:
  std::mutex write_mutex_;
  core::sqlite::Database writer_;
  core::sqlite::ReaderPool readers_;
};

}  // namespace ide::result
