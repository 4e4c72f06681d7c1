#include "submission/module.hpp"

#include <exception>
#include <filesystem>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "core/sqlite.hpp"
#include "sqlite_submission_store.hpp"
#include "submission_service_impl.hpp"

namespace ide::submission {

core::Result<std::unique_ptr<SubmissionService>> make_submission_service(
    const core::Config& config, result::ResultService& results, const core::Clock& clock,
    core::IdGenerator& ids) {
  std::error_code error;
  std::filesystem::create_directories(config.data_dir, error);
  if (error) {
    return core::fail(core::ErrorCode::storage_unavailable,
                      fmt::format("Cannot create the data directory {}: {}",
                                  config.data_dir.string(), error.message()));
  }
  std::unique_ptr<SubmissionStore> store;
  try {
    store = std::make_unique<SqliteSubmissionStore>(config.data_dir / "submissions.db");
  } catch (const std::exception& e) {
    return core::Unexpected(core::sqlite::to_error(e));
  }
  auto service = std::make_unique<SubmissionServiceImpl>(std::move(store), results, clock, ids);
  if (auto replayed = service->replay_pending(); !replayed) {
    return core::Unexpected(replayed.error());
  }
  return std::unique_ptr<SubmissionService>(std::move(service));
}

}  // namespace ide::submission
