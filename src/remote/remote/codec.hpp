// JSON codecs of the internal API: every type the modules' interfaces pass, both ways. Byte
// strings (code, stdin, outputs) stay byte-exact: JSON text when they are UTF-8, base64 otherwise.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/error.hpp"

namespace ide::remote {

/// `value` as JSON. Defined for submission::NewSubmission, Submission, SubmissionIdPage,
/// ClassSubmissionQuery, ClassSubmissionPage,
/// result::RunResult, Language, std::vector<Language>, QueueStats, PurgeOutcome, url::ShareLink,
/// problem::ProblemContent, Problem, std::vector<ProblemSummary>, access::NewClassToken,
/// ClassToken, IssuedClassToken, Bearer, std::vector<ClassToken>, core::RequestedLimits and
/// core::Error.
template <typename T>
boost::json::value to_json(const T& value);

/// The T that to_json() made `json` from. Errors: invalid_argument naming what is wrong.
template <typename T>
core::Result<T> from_json(const boost::json::value& json);


/// The error body every internal (and public) error answer has: {"error": {"code", "message"}}.
/// nullopt when `body` is not one or names no known code.
std::optional<core::Error> error_from_body(std::string_view body);

}  // namespace ide::remote
