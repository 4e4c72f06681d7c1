// Each module's HTTP routes (SPEC section 3), registered by one function that receives exactly
// the services it calls. Handlers are thin: decode, call the interface, encode.
#pragma once

#include <memory>
#include <string>

#include "access/access_service.hpp"
#include "compose/submission_views.hpp"
#include "core/limits.hpp"
#include "http/callbacks.hpp"
#include "http/client_jobs.hpp"
#include "http/hourly_quota.hpp"
#include "http/members.hpp"
#include "http/result_cache.hpp"
#include "http/router.hpp"
#include "problem/problem_service.hpp"
#include "result/result_service.hpp"
#include "submission/submission_service.hpp"
#include "url/url_service.hpp"

namespace ide::http {


/// GET /api/v1/submissions/{id}/result[?wait_ms=N][&base64=true] (getResult), through `views`
/// (a submission the result module has not heard of yet is queued). Done results are answered
/// from `cache` (filled here) with an ETag, and 304 to an If-None-Match that names it.
void add_result_routes(Router& router, compose::SubmissionViews& views, ResultCache& cache);

/// GET /api/v1/submissions/{id}/stream: a WebSocket of the run's live output (read_live on
/// `results`), interactive stdin (send_stdin) and, last, the result from `views`.
void add_stream_routes(Router& router, compose::SubmissionViews& views,
                       result::ResultService& results);

/// POST /api/v1/submissions/{id}/share (generateUrl) and GET /api/v1/shares/{slug}
/// (getSubmission, from `views`). Share links are `base_url` + "/s/" + slug; an empty
/// `base_url` means "http://" + the request's Host.
void add_url_routes(Router& router, url::UrlService& urls, compose::SubmissionViews& views,
                    std::string base_url);

/// GET /api/v1/languages, /api/v1/openapi.json (http/openapi.json), /healthz, /healthz/queue,
/// /metrics (Prometheus), and the web IDE: GET /, /s/{slug}, /assets/...
void add_meta_routes(Router& router, result::ResultService& results);

/// Judge0's own settings.
struct Judge0Options {
  std::vector<std::string> auth_tokens;  // accepted in X-Auth-Token; empty: none needed
  CallbackSender* callbacks = nullptr;   // sends callback_url's PUTs; null: they are refused
};

/// What the routes call and the settings they apply. Copyable; the services must outlive the
/// router.
struct ApiContext {
  submission::SubmissionService& submissions;
  result::ResultService& results;
  url::UrlService& urls;
  problem::ProblemService& problems;
  compose::SubmissionViews& views;  // reads across the three services
  ClientJobLimit& client_jobs;
  ResultCache& result_cache;
  std::string base_url;        // of share links; see add_url_routes
  core::LimitSettings limits;  // the maxima Piston's limits are clamped to
  Judge0Options judge0 = {};
  std::vector<std::string> admin_tokens = {};  // Bearer tokens that write problems and classes
  access::AccessService* access = nullptr;      // class tokens; null: no /api/v1/classes routes
  AnonymousAccess anonymous_access = AnonymousAccess::rate_limited;  // see members.hpp
  // Each class's submits of the last hour; shared by the copies of this context.
  std::shared_ptr<HourlyQuota> class_quota = std::make_shared<HourlyQuota>();
};

/// POST /api/v1/submissions (submitCode) and GET /api/v1/submissions/{id} (the owner's view).
/// A submit is made as its caller (members.hpp: a class token's as its class) and answers 429
/// rate_limited with Retry-After beyond the client's or class's quota. A submit with a
/// problem_id is judged on that problem's tests (compose::to_problem).
void add_submission_routes(Router& router, const ApiContext& api);

/// GET /api/v1/problems[/{id}] for anyone (hidden tests redacted unless an admin asks), and
/// POST /api/v1/problems, PUT and DELETE /api/v1/problems/{id} for an admin (admin_auth.hpp).
void add_problem_routes(Router& router, const ApiContext& api);

/// GET, POST /api/v1/classes and DELETE /api/v1/classes/{id}, for an admin only
/// (admin_auth.hpp): class tokens, whose secrets only the POST's answer shows; GET
/// /api/v1/classes/{id} also for its owner; GET /api/v1/whoami for anyone. None when
/// `api.access` is null.
void add_class_routes(Router& router, const ApiContext& api);

/// The teacher's view, for an admin or the class's owner token: GET /api/v1/classes/{id}/
/// submissions[?problem=&student=&limit=&after=], /report and /scores.csv (compose::ClassViews).
/// None when `api.access` is null.
void add_class_view_routes(Router& router, const ApiContext& api);

/// Piston's v2 API: GET /api/v2/runtimes and POST /api/v2/execute (docs/API.md).
void add_piston_routes(Router& router, const ApiContext& api);

/// Judge0 CE's API: GET /languages[/{id}], GET /statuses, POST /submissions[?wait=true]
/// [&base64_encoded=true][&fields=...], GET /submissions/{token}, POST /submissions/batch,
/// GET /submissions/batch?tokens=a,b and POST /authenticate. With `api.judge0.auth_tokens`
/// each needs one of them in X-Auth-Token (header or query parameter), else 401.
void add_judge0_routes(Router& router, const ApiContext& api);

/// All of the above: what `ide serve` answers.
void add_all_routes(Router& router, const ApiContext& api);

}  // namespace ide::http
