// The one place that knows which HTTP status each core::ErrorCode becomes, and the error body
// shape of SPEC section 3: {"error":{"code":"...","message":"..."}}.
#pragma once

#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "http/message.hpp"

namespace ide::http {

/// invalid_argument 400, unknown_language and invalid_limits 422, not_found 404,
/// payload_too_large 413, rate_limited 429, queue_full / shutting_down / storage_unavailable /
/// unavailable 503, unauthorized 401, internal 500.
Status status_for(core::ErrorCode code);

/// Seconds a client should wait before retrying after `code`, for the codes that invite a retry
/// (queue_full, rate_limited, shutting_down, unavailable).
std::optional<int> default_retry_after(core::ErrorCode code);

/// The error response for `error`, with Retry-After where it applies (`retry_after_s` overrides
/// the default).
Response error_response(const core::Error& error, std::optional<int> retry_after_s = {});

/// An error answered by the transport itself with a status no ErrorCode maps to (405, 431):
/// the body still carries `code`'s name.
Response error_response(Status status, core::ErrorCode code, std::string message);

/// `body` serialised, with the JSON content type.
Response json_response(Status status, const boost::json::value& body);

}  // namespace ide::http
