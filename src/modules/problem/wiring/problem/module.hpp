// Factory of the problem module, used by the composition root (src/app) and tests only.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "problem/problem_service.hpp"

namespace ide::problem {

/// What the problem module is configured with (the composition root maps core::Config).
struct ProblemOptions {
  std::filesystem::path data_dir = "data";  // problems.db lives here
  std::string store = {};                   // empty: <data_dir>/problems.db; or postgresql://...
  std::size_t max_tests = 64;               // tests one problem may carry
  std::size_t max_problems = 1000;          // problems kept at most
};

/// Opens (creating or migrating) <data_dir>/problems.db, or the PostgreSQL database
/// options.store names, and returns the service. `clock` and `ids` must outlive it.
/// Errors: storage_unavailable.
core::Result<std::unique_ptr<ProblemService>> make_problem_service(const ProblemOptions& options,
                                                                   const core::Clock& clock,
                                                                   core::IdGenerator& ids);

}  // namespace ide::problem
