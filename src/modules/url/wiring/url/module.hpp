// Factory of the url module, used by the composition root (src/app) only.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "submission/submission_service.hpp"
#include "url/url_service.hpp"

namespace ide::url {

/// What the url module is configured with (the composition root maps core::Config).
struct UrlOptions {
  std::filesystem::path data_dir = "data";  // urls.db (and share.secret) live here
  std::string share_secret = {};            // empty: <data_dir>/share.secret
  std::string store = {};                   // empty: <data_dir>/urls.db; or postgresql://...
};

/// Opens (creating or migrating) <data_dir>/urls.db, or the PostgreSQL database options.store
/// names, and returns the service. The keyed-hash
/// secret is options.share_secret, or <data_dir>/share.secret, generated on first start.
/// `submissions` must outlive the service.
core::Result<std::unique_ptr<UrlService>> make_url_service(
    const UrlOptions& options, submission::SubmissionService& submissions);

}  // namespace ide::url
