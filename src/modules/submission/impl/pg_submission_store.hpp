// The PostgreSQL implementation of SubmissionStore, for submission_store = "postgresql://...".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/pg.hpp"
#include "submission_store.hpp"

namespace ide::submission {

/// A small pool of connections: each call borrows one for its statements. Blobs are compressed
/// before a connection is borrowed, as in SqliteSubmissionStore, and kept in BYTEA columns with
/// their codec.
class PgSubmissionStore final : public SubmissionStore {
 public:
  /// Connects to `url` and creates or migrates the submission tables. Throws
  /// core::StorageUnavailable when the server cannot be reached.
  explicit PgSubmissionStore(const std::string& url, std::size_t connections = 4);

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
  core::pg::ConnectionPool pool_;
};

}  // namespace ide::submission
