#include "problem/module.hpp"

#include <exception>
#include <filesystem>
#include <utility>

#include "core/pg.hpp"
#include "core/sqlite.hpp"
#include "pg_problem_store.hpp"
#include "problem_service_impl.hpp"
#include "sqlite_problem_store.hpp"

namespace ide::problem {

core::Result<std::unique_ptr<ProblemService>> make_problem_service(const ProblemOptions& options,
                                                                   const core::Clock& clock,
                                                                   core::IdGenerator& ids) {
  if (auto made = core::sqlite::create_data_dir(options.data_dir); !made) {
    return core::Unexpected(made.error());
  }
  std::unique_ptr<ProblemStore> store;
  try {
    if (core::pg::is_url(options.store)) {
      store = std::make_unique<PgProblemStore>(options.store);
    } else {
      store = std::make_unique<SqliteProblemStore>(options.data_dir / "problems.db");
    }
  } catch (const std::exception& e) {
    return core::Unexpected(core::store_error(e, "problem"));
  }
  const ProblemBounds bounds{.max_tests = options.max_tests, .max_problems = options.max_problems};
  return std::unique_ptr<ProblemService>(
      std::make_unique<ProblemServiceImpl>(std::move(store), clock, ids, bounds));
}

}  // namespace ide::problem
