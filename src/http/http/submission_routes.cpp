// submitCode and the owner's view of a submission.
#include "http/routes.hpp"

#include <boost/json.hpp>

#include "compose/problem_submissions.hpp"
#include "http/codec.hpp"
#include "http/errors.hpp"

namespace ide::http {

namespace {

/// The submission `body` asks for: the problem's tests put in when it names a problem.
core::Result<submission::NewSubmission> decode_submit(std::string_view body,
                                                      problem::ProblemService& problems) {
  auto decoded = decode_new_submission(body);
  if (!decoded || decoded->problem_id.empty()) return decoded;
  const std::string problem_id = decoded->problem_id;
  return compose::to_problem(problems, problem_id, std::move(*decoded));
}

}  // namespace

void add_submission_routes(Router& router, const ApiContext& api) {
  router.add(
      Verb::post, "/api/v1/submissions",
      [api](Request request, Reply reply) {
        auto decoded = decode_submit(request.body, api.problems);
        // The raw body is as large as the code and stdin it carried: let it go before the write.
        std::string().swap(request.body);
        if (!decoded) return reply.send(error_response(decoded.error()));
        SubmitAnswer answer = submit_for(api, request, std::move(*decoded));
        if (!answer.id) return reply.send(error_response(answer.id.error(), answer.retry_after_s));
        reply.send(json_response(Status::accepted, {{"id", *answer.id}, {"status", "queued"}}));
      },
      {.blocking = true, .new_work = true});

  router.add(Verb::get, "/api/v1/submissions/{id}", [&submissions = api.submissions](
                                                        Request request, Reply reply) {
    auto found = submissions.get(request.param("id"));
    if (!found) return reply.send(error_response(found.error()));
    reply.send(json_response(Status::ok, encode_submission(*found)));
  });
}

}  // namespace ide::http
