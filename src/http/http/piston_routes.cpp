// Piston's v2 API on our server: a Piston client changes its base URL and nothing else. Each
// execute is an ordinary submission (durable, shareable by the id in the answer) whose answer
// waits for its result without holding a thread.
#include "http/routes.hpp"

#include <chrono>
#include <functional>

#include <boost/json.hpp>

#include "http/done_watch.hpp"
#include "http/errors.hpp"
#include "http/piston_codec.hpp"

namespace ide::http {

namespace {

// A run queued behind others may wait; past this the client is told to look it up itself.
constexpr auto kMaxExecuteWait = std::chrono::minutes(10);

/// Piston's error shape, {message}; a refused request is 400 as in Piston.
Response piston_error(const core::Error& error) {
  const bool refused = error.code == core::ErrorCode::invalid_argument ||
                       error.code == core::ErrorCode::unknown_language ||
                       error.code == core::ErrorCode::invalid_limits;
  Response response = json_response(refused ? Status::bad_request : status_for(error.code),
                                    {{"message", error.message}});
  if (auto retry = default_retry_after(error.code)) {
    response.headers.emplace_back("Retry-After", std::to_string(*retry));
  }
  return response;
}

struct PendingExecute {
  std::string id;
  result::Language language;
  std::chrono::steady_clock::time_point deadline;
};

/// Answers `reply` with the run of `pending` once it is done.
void answer_when_done(compose::SubmissionViews& views, const Reply& reply, PendingExecute pending) {
  const auto on_pool = [reply](std::function<void()> task) {
    reply.post_blocking(std::move(task));
  };
  watch_until_done(views, pending.id, pending.deadline, on_pool,
                   [reply, pending](WatchEnd end) {
                     if (!end.run) return reply.send(piston_error(end.run.error()));
                     if (end.run->status == result::Status::done) {
                       return reply.send(json_response(
                           Status::ok, piston::encode_execute(*end.run, pending.language,
                                                              pending.id)));
                     }
                     reply.send(piston_error(
                         {end.stopping ? core::ErrorCode::shutting_down
                                       : core::ErrorCode::unavailable,
                          "The run has not finished yet: GET /api/v1/submissions/" + pending.id +
                              "/result later."}));
                   });
}

/// Decodes, names the language as we serve it and submits; the pending run, or the answer.
core::Result<PendingExecute> submit_execute(const Request& request, const ApiContext& api) {
  auto decoded = piston::decode_execute(request.body, api.limits);
  if (!decoded) return core::Unexpected(decoded.error());
  auto served = api.results.languages();
  if (!served) return core::Unexpected(served.error());
  auto language = piston::find_language(*served, decoded->request.language);
  if (!language) {
    return core::fail(core::ErrorCode::unknown_language,
                      decoded->request.language + "-" + decoded->version + " runtime is unknown");
  }
  decoded->request.language = language->id;
  SubmitAnswer answer = submit_for(api, request, std::move(decoded->request));
  if (!answer.id) return core::Unexpected(answer.id.error());
  return PendingExecute{std::move(*answer.id), std::move(*language),
                        std::chrono::steady_clock::now() + kMaxExecuteWait};
}

}  // namespace

void add_piston_routes(Router& router, const ApiContext& api) {
  router.add(Verb::get, "/api/v2/runtimes", [&results = api.results](Request, Reply reply) {
    auto served = results.languages();
    if (!served) return reply.send(piston_error(served.error()));
    reply.send(json_response(Status::ok, piston::encode_runtimes(*served)));
  });
  router.add(
      Verb::post, "/api/v2/execute",
      [api](Request request, Reply reply) {
        auto pending = submit_execute(request, api);
        if (!pending) return reply.send(piston_error(pending.error()));
        answer_when_done(api.views, reply, std::move(*pending));
      },
      {.blocking = true, .new_work = true});
}

}  // namespace ide::http
