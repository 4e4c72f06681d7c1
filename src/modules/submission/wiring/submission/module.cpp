#include "submission/module.hpp"

#include <exception>
#include <filesystem>
#include <utility>

#include "core/pg.hpp"
#include "core/sqlite.hpp"
#include "pg_submission_store.hpp"
#include "sqlite_submission_store.hpp"
#include "submission_service_impl.hpp"

namespace ide::submission {

core::Result<std::unique_ptr<SubmissionService>> make_submission_service(
    const SubmissionOptions& options, result::ResultService& results, const core::Clock& clock,
    core::IdGenerator& ids) {
  if (auto made = core::sqlite::create_data_dir(options.data_dir); !made) {
    return core::Unexpected(made.error());
  }
  std::unique_ptr<SubmissionStore> store;
  try {
    if (core::pg::is_url(options.store)) {
      store = std::make_unique<PgSubmissionStore>(options.store);
    } else {
      store = std::make_unique<SqliteSubmissionStore>(options.data_dir / "submissions.db");
    }
  } catch (const std::exception& e) {
    return core::Unexpected(core::store_error(e, "submission"));
  }
  auto service = std::make_unique<SubmissionServiceImpl>(std::move(store), results, clock, ids,
                                                         options.max_tests);
  if (auto replayed = service->replay_pending(); !replayed) {
    return core::Unexpected(replayed.error());
  }
  return std::unique_ptr<SubmissionService>(std::move(service));
}

}  // namespace ide::submission
