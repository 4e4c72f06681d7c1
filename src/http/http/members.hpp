// Who sends a request (issue 12): anonymous, an admin (admin_tokens) or a member of a class (a
// class token's student or owner secret, both as `Authorization: Bearer`), what anonymous
// callers may do (the anonymous_access setting), and the submit every submitting route makes:
// as its class, within the class's quota.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "access/access_service.hpp"
#include "core/error.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "submission/submission_service.hpp"

namespace ide::http {

struct ApiContext;

/// What a caller without a bearer token may do.
enum class AnonymousAccess {
  rate_limited,  // anything but admin routes, within the per-address limits
  read_only,     // only GETs: submitting and sharing need a class or admin token
  off,           // nothing that reads or writes a module: only the page, health and languages
};

/// The setting's value ("rate_limited", "read_only", "off"); nullopt for any other.
std::optional<AnonymousAccess> parse_anonymous_access(std::string_view text);

/// Who sent a request.
struct Caller {
  bool admin = false;
  std::optional<access::Bearer> member;  // a class's student or owner
  bool anonymous() const { return !admin && !member; }
};

/// The caller of `request`: anonymous without a bearer token.
/// Errors: unauthorized (a bearer token that is neither an admin token nor a live class
/// secret), and those of AccessService::authenticate but not_found.
core::Result<Caller> identify(const ApiContext& api, const Request& request);

/// Wraps every blocking route of `router` (those that call a module) that anonymous callers
/// may not use under `api.anonymous_access` with a check that answers them 401.
/// Routes that only serve memory (the page, health, languages) and a submission's result and
/// stream, read by an id only its submitter knows, stay open to everyone.
void guard_anonymous_routes(Router& router, const ApiContext& api);

/// `handler`, answered 401 unless an admin or the owner token of the class whose id is the
/// path's {id} sent the request (a teacher's view of their class).
Handler class_owner_only(const ApiContext& api, Handler handler);

/// A submit's answer: the new id, or why not and, for rate_limited, when to retry.
struct SubmitAnswer {
  core::Result<std::string> id;
  std::optional<int> retry_after_s = std::nullopt;
};

/// Submits `submission` for `caller`: a class member's as its class (class_id), counted against
/// the class's submissions_per_hour and, when set, its max_queued; anyone else's against the
/// client's place in api.client_jobs. Errors: unauthorized (an anonymous caller when
/// anonymous_access is not rate_limited), rate_limited, invalid_argument (a student label
/// without a class token), those of SubmissionService::submit_code.
SubmitAnswer submit_as(const ApiContext& api, const Caller& caller, const Request& request,
                       submission::NewSubmission submission);

/// identify() and submit_as() in one: what each submitting route calls.
SubmitAnswer submit_for(const ApiContext& api, const Request& request,
                        submission::NewSubmission submission);

}  // namespace ide::http
