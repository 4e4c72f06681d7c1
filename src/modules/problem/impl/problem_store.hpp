// The problem module's storage interface: SqliteProblemStore (the default) and PgProblemStore.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "problem/problem_service.hpp"

namespace ide::problem {

/// Where problems live, each a row with its content as one JSON document (stored_problem.hpp).
/// Methods throw on storage failure, and on a corrupt stored document (the service maps the
/// exception). Thread-safe.
class ProblemStore {
 public:
  virtual ~ProblemStore() = default;

  /// Commits the new problem `problem`.
  virtual void insert(const Problem& problem) = 0;

  /// Replaces the content of `id` and sets its updated_at; false when there is no such problem.
  virtual bool update(std::string_view id, const ProblemContent& content,
                      core::TimePoint updated_at) = 0;

  /// The problem `id`, or nullopt when there is none.
  virtual std::optional<Problem> find(std::string_view id) = 0;

  /// Every problem, oldest first (ties by id), without reading the documents.
  virtual std::vector<ProblemSummary> list() = 0;

  /// Deletes `id`; false when there was no such problem.
  virtual bool remove(std::string_view id) = 0;

  /// How many problems are stored.
  virtual std::size_t count() = 0;
};

}  // namespace ide::problem
