// The PostgreSQL implementation of ProblemStore, for problem_store = "postgresql://...": several
// ide processes can share one set of problems.
#pragma once

#include <cstddef>
#include <string>

#include "core/pg.hpp"
#include "problem_store.hpp"

namespace ide::problem {

/// A small pool of connections: each call borrows one for its statement.
class PgProblemStore final : public ProblemStore {
 public:
  /// Connects to `url` and creates or migrates the problem tables. Throws
  /// core::StorageUnavailable when the server cannot be reached.
  explicit PgProblemStore(const std::string& url, std::size_t connections = 4);

  void insert(const Problem& problem) override;
  bool update(std::string_view id, const ProblemContent& content,
              core::TimePoint updated_at) override;
  std::optional<Problem> find(std::string_view id) override;
  std::vector<ProblemSummary> list() override;
  bool remove(std::string_view id) override;
  std::size_t count() override;

 private:
  core::pg::ConnectionPool pool_;
};

}  // namespace ide::problem
