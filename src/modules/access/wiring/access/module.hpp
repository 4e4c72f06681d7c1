// Factory of the access module, used by the composition root (src/app) and tests only.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "access/access_service.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"

namespace ide::access {

/// What the access module is configured with (the composition root maps core::Config).
struct AccessOptions {
  std::filesystem::path data_dir = "data";  // the module's SQLite database lives here
  std::string store = {};                   // empty: SQLite under data_dir; or postgresql://...
  std::size_t max_class_tokens = 1000;      // class tokens kept at most
};

/// Opens (creating or migrating) the module's SQLite database under options.data_dir, or the
/// PostgreSQL database options.store names, and returns the service. `clock` and `ids` must
/// outlive it. Errors: storage_unavailable.
core::Result<std::unique_ptr<AccessService>> make_access_service(const AccessOptions& options,
                                                                 const core::Clock& clock,
                                                                 core::IdGenerator& ids);

}  // namespace ide::access
