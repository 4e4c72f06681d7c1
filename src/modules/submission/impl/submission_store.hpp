// The submission module's storage interface: SqliteSubmissionStore (the default) and
// PgSubmissionStore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "submission/submission_service.hpp"

namespace ide::submission {

/// A submission's place in the oldest-first order: by creation time, then id.
struct CreatedId {
  std::int64_t created_at_ms = 0;
  std::string id;
};

/// Where submissions live, with the outbox flag that records whether the result module has
/// acknowledged each one. Methods throw on storage failure (the service maps the exception).
/// Thread-safe.
class SubmissionStore {
 public:
  virtual ~SubmissionStore() = default;

  /// Commits `submission` as not yet handed off. Code and stdin are kept byte-exact.
  virtual void insert(const Submission& submission) = 0;

  /// The submission `id`, or nullopt when there is none.
  virtual std::optional<Submission> find(std::string_view id) = 0;

  /// Whether `id` is stored, without reading its code or stdin.
  virtual bool exists(std::string_view id) = 0;

  /// Records that the result module acknowledged `id`.
  virtual void mark_handed_off(std::string_view id) = 0;

  /// Deletes `id` (a submission the client was told was refused).
  virtual void remove(std::string_view id) = 0;

  /// Ids saved but never acknowledged, oldest first.
  virtual std::vector<std::string> pending_hand_offs() = 0;

  /// Up to `limit` submissions created before `cutoff_ms`, oldest first (ties by id), strictly
  /// after `after` when given.
  virtual std::vector<CreatedId> created_before(std::int64_t cutoff_ms, std::size_t limit,
                                                const std::optional<CreatedId>& after) = 0;

  /// Up to `limit` submissions of `query.class_id` (filtered by its problem_id and student when
  /// set), newest first (ties by id, descending), strictly before `before` when given.
  /// `query.limit` and `query.after` are unused.
  virtual std::vector<ClassSubmission> class_submissions(
      const ClassSubmissionQuery& query, std::size_t limit,
      const std::optional<CreatedId>& before) = 0;

  /// Deletes the submissions `ids` in short transactions (a batch each), so that submits are
  /// never blocked for long; returns how many rows went. Rows deleted before a throw stay deleted.
  virtual std::size_t remove_all(const std::vector<std::string>& ids) = 0;
};

}  // namespace ide::submission
