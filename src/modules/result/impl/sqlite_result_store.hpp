// ResultStore on SQLite: <data_dir>/results.db. The only SQL of the result module.
#pragma once

#include <filesystem>
#include <mutex>

#include "core/sqlite.hpp"
#include "result_store.hpp"

namespace ide::result {

/// Two connections: writes go through one, reads of results through the other, so that a poll
/// reading a multi-megabyte result never waits behind a worker writing one (WAL lets them overlap).
class SqliteResultStore final : public ResultStore {
 public:
  /// Opens (creating or migrating) the database file. Throws core::sqlite::SqliteError.
  explicit SqliteResultStore(const std::filesystem::path& file);

  EnqueueOutcome enqueue(std::string_view id, std::int64_t now_ms, std::size_t max_queued) override;
  std::size_t requeue_interrupted() override;
  std::vector<JobRecord> queued_jobs() override;
  void mark_running(std::string_view id, std::int64_t now_ms) override;
  void mark_queued(std::string_view id) override;
  void finish(const RunResult& result) override;
  std::optional<JobRecord> find_job(std::string_view id) override;
  std::optional<RunResult> find_result(std::string_view id) override;
  PurgeOutcome purge(const std::vector<std::string>& ids) override;

 private:
  std::mutex write_mutex_;
  core::sqlite::Database writer_;
  std::mutex read_mutex_;
  core::sqlite::Database reader_;
};

}  // namespace ide::result
