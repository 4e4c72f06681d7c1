// The SQLite implementation of SubmissionStore, the default (PgSubmissionStore is the other).
#pragma once

#include <cstddef>
#include <filesystem>
#include <mutex>
#include <vector>

#include "core/sqlite.hpp"
#include "submission_store.hpp"

namespace ide::submission {

/// submissions.db. Writes go through one connection under a mutex (SQLite allows one writer
/// anyway); reads use a small pool of connections so that loading a multi-megabyte submission
/// never waits for a write or for another read (WAL lets readers run beside the writer).
class SqliteSubmissionStore final : public SubmissionStore {
 public:
  /// Opens (creating or migrating) the database at `path`. Throws core::sqlite::SqliteError.
  explicit SqliteSubmissionStore(std::filesystem::path path, std::size_t max_readers = 4);
  ~SqliteSubmissionStore() override;

  void insert(const Submission& submission) override;
  std::optional<Submission> find(std::string_view id) override;
  bool exists(std::string_view id) override;
  void mark_handed_off(std::string_view id) override;
  void remove(std::string_view id) override;
  std::vector<std::string> pending_hand_offs() override;
  std::vector<CreatedId> created_before(std::int64_t cutoff_ms, std::size_t limit,
                                        const std::optional<CreatedId>& after) override;
  std::vector<ClassSubmission> class_submissions(const ClassSubmissionQuery& query,
                                                 std::size_t limit,
                                                 const std::optional<CreatedId>& before) override;
  std::size_t remove_all(const std::vector<std::string>& ids) override;

 private:
  std::mutex write_mutex_;
  core::sqlite::Database writer_;
  core::sqlite::ReaderPool readers_;
};

}  // namespace ide::submission
