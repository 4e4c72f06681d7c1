// The SQLite implementation of ProblemStore, the default (PgProblemStore is the other).
#pragma once

#include <filesystem>
#include <mutex>

#include "core/sqlite.hpp"
#include "problem_store.hpp"

namespace ide::problem {

/// problems.db through one connection under a mutex: a class has tens of problems, read far more
/// often than written, and each read is one indexed row, so a pool would buy little.
class SqliteProblemStore final : public ProblemStore {
 public:
  /// Opens (creating or migrating) the database at `path`. Throws core::sqlite::SqliteError.
  explicit SqliteProblemStore(const std::filesystem::path& path);

  void insert(const Problem& problem) override;
  bool update(std::string_view id, const ProblemContent& content,
              core::TimePoint updated_at) override;
  std::optional<Problem> find(std::string_view id) override;
  std::vector<ProblemSummary> list() override;
  bool remove(std::string_view id) override;
  std::size_t count() override;

 private:
  std::mutex mutex_;
  core::sqlite::Database db_;
};

}  // namespace ide::problem
