// Factory of the submission module, used by the composition root (src/app) only.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "result/result_service.hpp"
#include "submission/submission_service.hpp"

namespace ide::submission {

/// What the submission module is configured with (the composition root maps core::Config).
struct SubmissionOptions {
  std::filesystem::path data_dir = "data";  // submissions.db lives here
  std::string store = {};                   // empty: <data_dir>/submissions.db; or postgresql://...
  std::size_t max_tests = 64;               // test cases one submission may carry
};

/// Opens (creating or migrating) <data_dir>/submissions.db, or the PostgreSQL database
/// options.store names, and returns the service. Submissions
/// that were saved but never acknowledged by `results` (a crash between the two steps) are
/// handed to it again before this returns. `results`, `clock` and `ids` must outlive the service.
core::Result<std::unique_ptr<SubmissionService>> make_submission_service(
    const SubmissionOptions& options, result::ResultService& results, const core::Clock& clock,
    core::IdGenerator& ids);

}  // namespace ide::submission
