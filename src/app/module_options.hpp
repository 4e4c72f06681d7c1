// Each module's typed options from the one server config: the composition root decides what each
// module sees, so no module depends on the whole core::Config.
#pragma once

#include "access/module.hpp"
#include "core/config.hpp"
#include "problem/module.hpp"
#include "result/module.hpp"
#include "submission/module.hpp"
#include "url/module.hpp"

namespace ide::app {

/// workers 0 in `config` is resolved to the number of cores here.
result::ResultOptions result_options(const core::Config& config);
submission::SubmissionOptions submission_options(const core::Config& config);
url::UrlOptions url_options(const core::Config& config);
problem::ProblemOptions problem_options(const core::Config& config);
access::AccessOptions access_options(const core::Config& config);

}  // namespace ide::app
