#include "http/members.hpp"

#include <utility>

#include <fmt/format.h>

#include "http/admin_auth.hpp"
#include "http/client_jobs.hpp"
#include "http/errors.hpp"
#include "http/routes.hpp"

namespace ide::http {

namespace {

constexpr std::string_view kNeedsToken =
    "This server serves only class members here: send Authorization: Bearer <class token>.";

/// Whether anonymous callers may use `route` under `mode`.
bool open_to_anonymous(const Route& route, AnonymousAccess mode) {
  // Non-blocking routes serve memory or a result by its id; they cannot wait for a lookup.
  if (!route.options.blocking || route.options.always_public) return true;
  switch (mode) {
    case AnonymousAccess::rate_limited:
      return true;
    case AnonymousAccess::read_only:
      return route.method == Verb::get;
    case AnonymousAccess::off:
      return false;
  }
  return false;
}

constexpr std::string_view kNeedsOwner =
    "A class is shown to an admin or its owner: send Authorization: Bearer <owner token>.";

/// Whether `caller` may see class `class_id`: an admin, or that class's owner.
bool may_view_class(const Caller& caller, std::string_view class_id) {
  if (caller.admin) return true;
  return caller.member && caller.member->role == access::Role::owner &&
         caller.member->token.id == class_id;
}

/// The place in api.client_jobs a submit of `caller` takes: a class with max_queued shares one.
core::Result<ClientJobLimit::Slot> reserve_place(const ApiContext& api, const Caller& caller,
                                                 const Request& request) {
  if (caller.member && caller.member->token.quota.max_queued > 0) {
    const access::ClassToken& token = caller.member->token;
    return api.client_jobs.reserve("class:" + token.id,
                                   static_cast<std::size_t>(token.quota.max_queued), "class");
  }
  return api.client_jobs.reserve(request.client_ip);
}

}  // namespace

std::optional<AnonymousAccess> parse_anonymous_access(std::string_view text) {
  if (text == "rate_limited") return AnonymousAccess::rate_limited;
  if (text == "read_only") return AnonymousAccess::read_only;
  if (text == "off") return AnonymousAccess::off;
  return std::nullopt;
}

core::Result<Caller> identify(const ApiContext& api, const Request& request) {
  const std::string_view secret = bearer_token(request);
  if (secret.empty()) return Caller{};
  if (is_admin(api.admin_tokens, request)) return Caller{.admin = true, .member = std::nullopt};
  if (api.access == nullptr) {
    return core::fail(core::ErrorCode::unauthorized,
                      "This bearer token is not an admin token, and class tokens are off here.");
  }
  auto bearer = api.access->authenticate(secret);
  if (!bearer) {
    if (bearer.error().code != core::ErrorCode::not_found) return core::Unexpected(bearer.error());
    return core::fail(core::ErrorCode::unauthorized,
                      "This bearer token is neither an admin token nor a class token's secret; "
                      "it may have been revoked or have expired.");
  }
  return Caller{.admin = false, .member = std::move(*bearer)};
}

void guard_anonymous_routes(Router& router, const ApiContext& api) {
  router.wrap_handlers([&api](const Route& route, Handler handler) -> Handler {
    if (open_to_anonymous(route, api.anonymous_access)) return handler;
    return [api, handler = std::move(handler)](Request request, Reply reply) {
      auto caller = identify(api, request);
      if (!caller) return reply.send(error_response(caller.error()));
      if (caller->anonymous()) {
        return reply.send(error_response({core::ErrorCode::unauthorized, std::string(kNeedsToken)}));
      }
      handler(std::move(request), std::move(reply));
    };
  });
}

Handler class_owner_only(const ApiContext& api, Handler handler) {
  return [api, handler = std::move(handler)](Request request, Reply reply) {
    auto caller = identify(api, request);
    if (!caller) return reply.send(error_response(caller.error()));
    if (!may_view_class(*caller, request.param("id"))) {
      return reply.send(error_response({core::ErrorCode::unauthorized, std::string(kNeedsOwner)}));
    }
    handler(std::move(request), std::move(reply));
  };
}

SubmitAnswer submit_as(const ApiContext& api, const Caller& caller, const Request& request,
                       submission::NewSubmission submission) {
  if (caller.anonymous() && api.anonymous_access != AnonymousAccess::rate_limited) {
    return {.id = core::fail(core::ErrorCode::unauthorized, std::string(kNeedsToken))};
  }
  if (caller.member) {
    const access::ClassToken& token = caller.member->token;
    submission.class_id = token.id;
    if (auto wait = api.class_quota->take(token.id, token.quota.submissions_per_hour,
                                          HourlyQuota::Clock::now())) {
      return {.id = core::fail(core::ErrorCode::rate_limited,
                               fmt::format("Class {} made its {} submissions of the last hour; "
                                           "retry in {} s.",
                                           token.name, token.quota.submissions_per_hour, *wait)),
              .retry_after_s = static_cast<int>(*wait)};
    }
  }
  auto slot = reserve_place(api, caller, request);
  auto id = slot ? api.submissions.submit_code(std::move(submission))
                 : core::Result<std::string>(core::Unexpected(slot.error()));
  if (id) {
    slot->commit(*id);
    return {.id = std::move(id)};
  }
  // Only submissions kept count against the hour.
  if (caller.member) api.class_quota->give_back(caller.member->token.id, HourlyQuota::Clock::now());
  const bool over_cap = !slot;
  return {.id = std::move(id),
          .retry_after_s = over_cap ? std::optional<int>(kClientJobsRetryAfterS) : std::nullopt};
}

SubmitAnswer submit_for(const ApiContext& api, const Request& request,
                        submission::NewSubmission submission) {
  auto caller = identify(api, request);
  if (!caller) return {.id = core::Unexpected(caller.error())};
  return submit_as(api, *caller, request, std::move(submission));
}

}  // namespace ide::http
