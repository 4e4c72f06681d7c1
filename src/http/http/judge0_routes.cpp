// Judge0 CE's API (a subset) on our services: a Judge0 token is our submission id, so its
// submissions are as durable and shareable as ours.
#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "core/json.hpp"
#include "http/errors.hpp"
#include "http/judge0_codec.hpp"
#include "http/query.hpp"
#include "http/routes.hpp"

namespace ide::http {

namespace json = boost::json;

namespace {

// Judge0's MAX_SUBMISSION_BATCH_SIZE default.
constexpr std::size_t kMaxBatch = 20;
constexpr std::string_view kNotUtf8 =
    "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true";

struct Judge0Query {
  Judge0Fields fields;
  bool wait = false;
};

/// Judge0's error shape: {"error": "..."}.
Response judge0_error(const core::Error& error) {
  return json_response(status_for(error.code), {{"error", error.message}});
}

core::Result<Judge0Query> judge0_query(const Request& request) {
  auto base64 = bool_param(request, "base64_encoded");
  if (!base64) return core::Unexpected(base64.error());
  auto wait = bool_param(request, "wait");
  if (!wait) return core::Unexpected(wait.error());
  return Judge0Query{judge0_fields(request.query_param("fields"), *base64), *wait};
}

/// The judge0_id of `language`, asked of the result module only when `fields` want it.
core::Result<std::optional<int>> language_id(const ApiContext& services,
                                             const std::string& language,
                                             const Judge0Fields& fields) {
  if (!fields.wants("language_id")) return std::optional<int>();
  auto served = services.results.languages();
  if (!served) return core::Unexpected(served.error());
  for (const result::Language& each : *served) {
    if (each.id == language) return each.judge0_id;
  }
  return std::optional<int>();
}

/// The answer for `token`'s `run`: the fields asked for, or why not.
Response render(const ApiContext& services, const std::string& token,
                core::Result<result::RunResult> run, const Judge0Fields& fields,
                Status status = Status::ok) {
  if (!run) return judge0_error(run.error());
  auto stored = services.submissions.get(token);
  if (!stored) return judge0_error(stored.error());
  auto id = language_id(services, stored->language, fields);
  if (!id) return judge0_error(id.error());
  auto encoded = encode_judge0_submission(*stored, *run, fields, *id);
  if (!encoded) return json_response(Status::bad_request, {{"error", kNotUtf8}});
  return json_response(status, *encoded);
}

/// Answers once `token` is done, or after the longest wait with what it is then.
void answer_when_done(const ApiContext& services, const Reply& reply, const std::string& token,
                      const Judge0Fields& fields) {
  const auto on_pool = [reply](std::function<void()> task) {
    reply.post_blocking(std::move(task));
  };
  auto watched = services.views.watch_result(
      token, std::chrono::milliseconds(kMaxWaitMs), on_pool,
      [services, reply, token, fields](core::Result<result::RunResult> run) {
        reply.send(render(services, token, std::move(run), fields, Status::created));
      });
  if (!watched) reply.send(judge0_error(watched.error()));
}

struct Submitted {
  std::string token;     // empty when refused
  json::object refusal;  // Judge0's field errors, or {"error"}
  Status status = Status::created;
};

/// Judge0's field error when `url` may not be called back, else nothing.
std::optional<std::string> callback_refusal(const ApiContext& services, const std::string& url) {
  if (services.judge0.callbacks == nullptr) return "setting callback is not allowed";
  auto checked = services.judge0.callbacks->check(url);
  if (!checked) return checked.error().message;
  return std::nullopt;
}

/// PUTs Judge0's default fields, base64 (as Judge0 does), to `url` once `token` is done.
void call_back_when_done(const ApiContext& services, const std::string& token,
                         std::string url) {
  services.judge0.callbacks->send_when_done(
      token, std::move(url),
      [services, token](const result::RunResult& run) -> core::Result<std::string> {
        Response answer = render(services, token, run, judge0_fields(std::nullopt, true));
        if (answer.status != Status::ok) {
          return core::fail(core::ErrorCode::internal, "its answer is " + answer.body);
        }
        return std::move(answer.body);
      });
}

Submitted submit_one(const ApiContext& services, const Caller& caller, const Request& request,
                     const json::value& body, bool base64,
                     const std::vector<result::Language>& served) {
  Judge0Request decoded = decode_judge0_submission(body, base64, served);
  if (decoded.callback_url) {
    if (auto refusal = callback_refusal(services, *decoded.callback_url)) {
      decoded.field_errors["callback_url"] = json::array{json::string(*refusal)};
    }
  }
  if (!decoded.field_errors.empty()) {
    return {{}, std::move(decoded.field_errors), Status::unprocessable_entity};
  }
  if (decoded.callback_url && !services.judge0.callbacks->reserve()) {
    return {{}, {{"error", "Too many callbacks are waiting to be sent; try again later."}},
            Status::service_unavailable};
  }
  auto id = submit_as(services, caller, request, std::move(decoded.submission)).id;
  if (!id) {
    if (decoded.callback_url) services.judge0.callbacks->release();
    return {{}, {{"error", id.error().message}}, status_for(id.error().code)};
  }
  if (decoded.callback_url) call_back_when_done(services, *id, std::move(*decoded.callback_url));
  return {*id, {}, Status::created};
}

void post_submission(const ApiContext& services, Request request, const Reply& reply) {
  auto query = judge0_query(request);
  if (!query) return reply.send(judge0_error(query.error()));
  auto body = core::json::parse_object(request.body);
  if (!body) return reply.send(judge0_error(body.error()));
  auto served = services.results.languages();
  if (!served) return reply.send(judge0_error(served.error()));
  auto caller = identify(services, request);
  if (!caller) return reply.send(judge0_error(caller.error()));
  Submitted submitted = submit_one(services, *caller, request, json::value(std::move(*body)),
                                   query->fields.base64, *served);
  if (submitted.token.empty()) {
    return reply.send(json_response(submitted.status, submitted.refusal));
  }
  if (!query->wait) {
    return reply.send(json_response(Status::created, {{"token", submitted.token}}));
  }
  answer_when_done(services, reply, submitted.token, query->fields);
}

void post_batch(const ApiContext& services, Request request, const Reply& reply) {
  auto query = judge0_query(request);
  if (!query) return reply.send(judge0_error(query.error()));
  auto body = core::json::parse_object(request.body);
  if (!body) return reply.send(judge0_error(body.error()));
  const json::value* list = body->if_contains("submissions");
  if (list == nullptr || !list->is_array() || list->as_array().empty() ||
      list->as_array().size() > kMaxBatch) {
    return reply.send(json_response(
        Status::bad_request, {{"error", "submissions must be an array of 1 to 20 submissions"}}));
  }
  auto served = services.results.languages();
  if (!served) return reply.send(judge0_error(served.error()));
  auto caller = identify(services, request);
  if (!caller) return reply.send(judge0_error(caller.error()));
  json::array answers;
  for (const json::value& each : list->as_array()) {
    Submitted submitted =
        submit_one(services, *caller, request, each, query->fields.base64, *served);
    answers.push_back(submitted.token.empty() ? json::value(std::move(submitted.refusal))
                                              : json::object{{"token", submitted.token}});
  }
  reply.send(json_response(Status::created, answers));
}

void get_batch(const ApiContext& services, const Request& request, const Reply& reply) {
  auto query = judge0_query(request);
  if (!query) return reply.send(judge0_error(query.error()));
  const auto tokens = split_commas(request.query_param("tokens").value_or(""));
  if (tokens.empty() || tokens.size() > kMaxBatch) {
    return reply.send(
        json_response(Status::bad_request, {{"error", "tokens must name 1 to 20 submissions"}}));
  }
  json::array found;
  for (const std::string& token : tokens) {
    Response one = render(services, token, services.views.result(token), query->fields);
    found.push_back(one.status == Status::ok ? json::parse(one.body) : json::value(nullptr));
  }
  reply.send(json_response(Status::ok, {{"submissions", std::move(found)}}));
}

void get_language(const ApiContext& services, const Request& request, const Reply& reply) {
  auto served = services.results.languages();
  if (!served) return reply.send(judge0_error(served.error()));
  for (const json::value& language : encode_judge0_languages(*served)) {
    if (std::to_string(language.at("id").as_int64()) == request.param("id")) {
      return reply.send(json_response(Status::ok, language));
    }
  }
  reply.send(json_response(Status::not_found, {{"error", "Not Found"}}));
}

/// Whether `request` carries one of `tokens` in X-Auth-Token (or no token is needed).
bool authenticated(const std::vector<std::string>& tokens, const Request& request) {
  if (tokens.empty()) return true;
  const std::string_view given =
      request.auth_token.empty() ? request.query_param(kAuthTokenHeader).value_or("")
                                 : std::string_view(request.auth_token);
  return std::any_of(tokens.begin(), tokens.end(),
                     [given](const std::string& token) { return core::same_secret(given, token); });
}

}  // namespace

void add_judge0_routes(Router& router, const ApiContext& services) {
  const auto add = [&router, tokens = services.judge0.auth_tokens](
                       Verb method, std::string_view pattern, Handler handler,
                       RouteOptions options = {}) {
    router.add(
        method, pattern,
        [tokens, handler = std::move(handler)](Request request, Reply reply) {
          if (!authenticated(tokens, request)) {
            return reply.send(json_response(
                Status::unauthorized, {{"error", "Authentication failed: send X-Auth-Token."}}));
          }
          handler(std::move(request), std::move(reply));
        },
        options);
  };
  add(Verb::post, "/authenticate",
      [](Request, Reply reply) { reply.send(json_response(Status::ok, json::object())); },
      {.blocking = false});
  add(Verb::get, "/languages", [services](Request, Reply reply) {
    auto served = services.results.languages();
    if (!served) return reply.send(judge0_error(served.error()));
    reply.send(json_response(Status::ok, encode_judge0_languages(*served)));
  });
  add(Verb::get, "/languages/{id}",
      [services](Request request, Reply reply) { get_language(services, request, reply); });
  add(
      Verb::get, "/statuses",
      [](Request, Reply reply) { reply.send(json_response(Status::ok, encode_judge0_statuses())); },
      {.blocking = false});
  const RouteOptions submit{.blocking = true, .new_work = true};
  add(
      Verb::post, "/submissions/batch",
      [services](Request request, Reply reply) { post_batch(services, std::move(request), reply); },
      submit);
  add(Verb::get, "/submissions/batch",
      [services](Request request, Reply reply) { get_batch(services, request, reply); });
  add(
      Verb::post, "/submissions",
      [services](Request request, Reply reply) {
        post_submission(services, std::move(request), reply);
      },
      submit);
  add(Verb::get, "/submissions/{token}", [services](Request request, Reply reply) {
    auto query = judge0_query(request);
    if (!query) return reply.send(judge0_error(query.error()));
    const std::string token(request.param("token"));
    reply.send(render(services, token, services.views.result(token), query->fields));
  });
}

}  // namespace ide::http
