#include "url/module.hpp"

#include <exception>
#include <filesystem>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "core/sqlite.hpp"
#include "core/pg.hpp"
#include "pg_url_store.hpp"
#include "share_secret.hpp"
#include "sqlite_url_store.hpp"
#include "url_service_impl.hpp"

namespace ide::url {

core::Result<std::unique_ptr<UrlService>> make_url_service(
    const UrlOptions& options, submission::SubmissionService& submissions) {
  if (auto made = core::sqlite::create_data_dir(options.data_dir); !made) {
    return core::Unexpected(made.error());
  }

  std::string secret = options.share_secret;
  if (secret.empty()) {
    const std::filesystem::path file = options.data_dir / "share.secret";
    try {
      secret = load_or_create_share_secret(file);
    } catch (const std::exception& e) {
      return core::fail(core::ErrorCode::storage_unavailable,
                        fmt::format("Cannot read or create the share secret {}: {}",
                                    file.string(), e.what()));
    }
  }

  std::unique_ptr<UrlStore> store;
  try {
    if (core::pg::is_url(options.store)) {
      store = std::make_unique<PgUrlStore>(options.store);
    } else {
      store = std::make_unique<SqliteUrlStore>(options.data_dir / "urls.db");
    }
  } catch (const std::exception& e) {
    return core::Unexpected(core::store_error(e, "url"));
  }
  return std::unique_ptr<UrlService>(
      std::make_unique<UrlServiceImpl>(std::move(store), std::move(secret), submissions));
}

}  // namespace ide::url
