// submitCode and the owner's view of a submission.
#include "http/routes.hpp"

#include <boost/json.hpp>

#include "http/codec.hpp"
#include "http/errors.hpp"

namespace ide::http {

void add_submission_routes(Router& router, submission::SubmissionService& submissions) {
  router.add(
      Verb::post, "/api/v1/submissions",
      [&submissions](Request request, Reply reply) {
        auto decoded = decode_new_submission(request.body);
        // The raw body is as large as the code and stdin it carried: let it go before the write.
        std::string().swap(request.body);
        if (!decoded) return reply.send(error_response(decoded.error()));
        auto id = submissions.submit_code(std::move(*decoded));
        if (!id) return reply.send(error_response(id.error()));
        reply.send(json_response(Status::accepted, {{"id", *id}, {"status", "queued"}}));
      },
      {.blocking = true, .new_work = true});

  router.add(Verb::get, "/api/v1/submissions/{id}", [&submissions](Request request, Reply reply) {
    auto found = submissions.get(request.param("id"));
    if (!found) return reply.send(error_response(found.error()));
    reply.send(json_response(Status::ok, encode_submission(*found)));
  });
}

}  // namespace ide::http
