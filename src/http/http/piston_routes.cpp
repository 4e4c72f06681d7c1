// Piston's v2 API on our server: a Piston client changes its base URL and nothing else. Each
// execute is an ordinary submission (durable, shareable by the id in the answer) whose answer
// waits for its result without holding a thread.
#include "http/routes.hpp"

#include <chrono>
#include <functional>

#include <boost/json.hpp>

#include "http/errors.hpp"
#include "http/piston_codec.hpp"

namespace ide::http {

namespace {

// Each watch ends after this long with the state then, and is renewed until the run is done.
constexpr auto kWatchSlice = std::chrono::seconds(30);
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

/// Answers `reply` with the run of `pending` once it is done, renewing the watch until then.
void answer_when_done(compose::SubmissionViews& views, Reply reply, PendingExecute pending) {
  const auto on_pool = [reply](std::function<void()> task) {
    reply.post_blocking(std::move(task));
  };
  const auto asked = std::chrono::steady_clock::now();
  auto watched = views.watch_result(
      pending.id, kWatchSlice, on_pool,
      [&views, reply, pending, asked](core::Result<result::RunResult> run) {
        if (!run) return reply.send(piston_error(run.error()));
        if (run->status == result::Status::done) {
          return reply.send(json_response(
              Status::ok, piston::encode_execute(*run, pending.language, pending.id)));
        }
        const auto now = std::chrono::steady_clock::now();
        // Unfinished before the slice ran out: the module is stopping, and would answer every
        // new watch at once.
        const bool stopping = now - asked < kWatchSlice;
        if (!stopping && now < pending.deadline) return answer_when_done(views, reply, pending);
        reply.send(piston_error({stopping ? core::ErrorCode::shutting_down
                                          : core::ErrorCode::unavailable,
                                 "The run has not finished yet: GET /api/v1/submissions/" +
                                     pending.id + "/result later."}));
      });
  if (!watched) reply.send(piston_error(watched.error()));
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
  auto id = submit_in_place(api.submissions, api.client_jobs, request.client_ip,
                            std::move(decoded->request));
  if (!id) return core::Unexpected(id.error());
  return PendingExecute{std::move(*id), std::move(*language),
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
