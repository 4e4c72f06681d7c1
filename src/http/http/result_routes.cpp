// getResult, with long-polling that holds no thread while it waits.
#include "http/routes.hpp"

#include <boost/json.hpp>

#include "http/codec.hpp"
#include "http/errors.hpp"
#include "http/query.hpp"

namespace ide::http {

namespace {

/// Runs on the blocking pool: encoding multi-megabyte output is no work for a module's thread.
Response render(core::Result<result::RunResult> run, const std::string& id, bool base64,
                submission::SubmissionService& submissions) {
  if (run) return json_response(Status::ok, encode_result(*run, {.base64 = base64}));
  if (run.error().code != core::ErrorCode::not_found) return error_response(run.error());
  // Saved but not yet handed to the result module (a crash in between is replayed at start):
  // accepted work, so it is queued, not unknown.
  auto exists = submissions.exists(id);
  if (!exists) return error_response(exists.error());
  if (!*exists) return error_response({core::ErrorCode::not_found, "No submission has this id."});
  return json_response(Status::ok, encode_queued(id));
}

}  // namespace

void add_result_routes(Router& router, result::ResultService& results,
                       submission::SubmissionService& submissions) {
  router.add(Verb::get, "/api/v1/submissions/{id}/result",
             [&results, &submissions](Request request, Reply reply) {
               auto wait = wait_ms_param(request);
               if (!wait) return reply.send(error_response(wait.error()));
               auto base64 = base64_param(request);
               if (!base64) return reply.send(error_response(base64.error()));
               std::string id(request.param("id"));
               results.get_result(
                   id, *wait,
                   [reply, id, base64 = *base64, &submissions](
                       core::Result<result::RunResult> run) mutable {
                     reply.post_blocking(
                         [reply, id = std::move(id), base64, &submissions,
                          run = std::move(run)]() mutable {
                           reply.send(render(std::move(run), id, base64, submissions));
                         });
                   });
             });
}

}  // namespace ide::http
