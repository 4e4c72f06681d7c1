#include "access/module.hpp"

#include <exception>
#include <filesystem>
#include <utility>

#include "access_service_impl.hpp"
#include "core/pg.hpp"
#include "core/sqlite.hpp"
#include "pg_access_store.hpp"
#include "sqlite_access_store.hpp"

namespace ide::access {

core::Result<std::unique_ptr<AccessService>> make_access_service(const AccessOptions& options,
                                                                 const core::Clock& clock,
                                                                 core::IdGenerator& ids) {
  if (auto made = core::sqlite::create_data_dir(options.data_dir); !made) {
    return core::Unexpected(made.error());
  }
  std::unique_ptr<AccessStore> store;
  try {
    if (core::pg::is_url(options.store)) {
      store = std::make_unique<PgAccessStore>(options.store);
    } else {
      store = std::make_unique<SqliteAccessStore>(options.data_dir / "access.db");
    }
  } catch (const std::exception& e) {
    return core::Unexpected(core::store_error(e, "access"));
  }
  return std::unique_ptr<AccessService>(
      std::make_unique<AccessServiceImpl>(std::move(store), clock, ids, options.max_class_tokens));
}

}  // namespace ide::access
