// The JSON of /api/v1/classes: a class token as an admin asks for it, and as it is shown.
#pragma once

#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "access/access_service.hpp"
#include "core/error.hpp"
#include "http/members.hpp"

namespace ide::http {

/// The body of POST /api/v1/classes: {"name", "quota_per_hour"?, "max_queued"?, "expires_at"?
/// (RFC 3339)}. Errors: invalid_argument naming the field. Bounds are the access module's.
core::Result<access::NewClassToken> decode_new_class(std::string_view body);

/// A class without its secrets: {id, name, quota_per_hour, max_queued, expires_at (RFC 3339 or
/// null), created_at}.
boost::json::object encode_class(const access::ClassToken& token);

/// What POST /api/v1/classes answers: encode_class() and "token" (the student secret) and
/// "owner_token", shown this once.
boost::json::object encode_issued_class(const access::IssuedClassToken& issued);

/// GET /api/v1/classes: {"classes": [encode_class(), ...]}.
boost::json::object encode_class_list(const std::vector<access::ClassToken>& tokens);

/// GET /api/v1/whoami: {"role": "anonymous" | "admin" | "student" | "owner", "class":
/// encode_class() or null}.
boost::json::object encode_caller(const Caller& caller);

}  // namespace ide::http
