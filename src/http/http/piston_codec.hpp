// Piston's v2 API (github.com/engineer-man/piston, docs/api-v2.md) in our terms: its runtime
// list, its execute request as a NewSubmission and our result as its answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "result/result_service.hpp"
#include "submission/submission_service.hpp"

namespace ide::http::piston {

/// A decoded POST /api/v2/execute. `request.language` is still the name the client sent.
struct ExecuteRequest {
  submission::NewSubmission request;
  std::string version;  // the client's selector: advisory, we serve one version per language
};

/// Decodes an execute body with Piston's leniency: any JSON object is read (no Content-Type
/// needed); run limits of -1 or 0 mean "the default" and are clamped to `maxima`; compile limits
/// are checked for type and then left to the server's settings. Errors: invalid_argument with
/// Piston's messages ("language is required as a string", ...).
core::Result<ExecuteRequest> decode_execute(std::string_view body,
                                            const core::LimitSettings& maxima);

/// The served language that `name` (an id or one of its aliases) names, if any.
std::optional<result::Language> find_language(const std::vector<result::Language>& served,
                                              std::string_view name);

/// GET /api/v2/runtimes: [{language, version, aliases, runtime?}].
boost::json::array encode_runtimes(const std::vector<result::Language>& served);

/// The execute answer for a done `run` of submission `id`: {language, version, run, compile?,
/// id}. A compile error answers its compile stage as `run` too, as Piston does.
boost::json::object encode_execute(const result::RunResult& run, const result::Language& language,
                                   std::string_view id);

}  // namespace ide::http::piston
