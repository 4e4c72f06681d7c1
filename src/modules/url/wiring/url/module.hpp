// Factory of the url module, used by the composition root (src/app) only.
#pragma once

#include <memory>

#include "core/config.hpp"
#include "core/error.hpp"
#include "submission/submission_service.hpp"
#include "url/url_service.hpp"

namespace ide::url {

/// Opens (creating or migrating) <data_dir>/urls.db and returns the service. The keyed-hash
/// secret is config.share_secret, or <data_dir>/share.secret, generated on first start.
/// `submissions` must outlive the service.
core::Result<std::unique_ptr<UrlService>> make_url_service(
    const core::Config& config, submission::SubmissionService& submissions);

}  // namespace ide::url
