// generateUrl and getSubmission (the public share view, which never shows the submission id).
#include "http/routes.hpp"

#include <optional>

#include <boost/json.hpp>

#include "http/codec.hpp"
#include "http/errors.hpp"
#include "http/query.hpp"

namespace ide::http {

void add_url_routes(Router& router, url::UrlService& urls,
                    submission::SubmissionService& submissions, result::ResultService& results,
                    std::string base_url) {
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();

  router.add(Verb::post, "/api/v1/submissions/{id}/share",
             [&urls, base_url](Request request, Reply reply) {
               auto link = urls.generate_url(request.param("id"));
               if (!link) return reply.send(error_response(link.error()));
               const std::string base = base_url.empty() ? "http://" + request.host : base_url;
               reply.send(json_response(link->created ? Status::created : Status::ok,
                                        {{"slug", link->slug},
                                         {"url", base + "/s/" + link->slug}}));
             });

  router.add(Verb::get, "/api/v1/shares/{slug}",
             [&urls, &submissions, &results](Request request, Reply reply) {
               auto base64 = base64_param(request);
               if (!base64) return reply.send(error_response(base64.error()));
               std::string slug(request.param("slug"));
               auto id = urls.resolve(slug);
               if (!id) return reply.send(error_response(id.error()));
               auto found = submissions.get(*id);
               if (!found) return reply.send(error_response(found.error()));
               results.get_result(
                   *id, std::chrono::milliseconds(0),
                   [reply, slug = std::move(slug), submission = std::move(*found),
                    base64 = *base64](core::Result<result::RunResult> run) mutable {
                     reply.post_blocking([reply, slug = std::move(slug),
                                          submission = std::move(submission), base64,
                                          run = std::move(run)]() mutable {
                       if (!run && run.error().code != core::ErrorCode::not_found) {
                         return reply.send(error_response(run.error()));
                       }
                       std::optional<result::RunResult> shown;
                       if (run) shown = std::move(*run);
                       reply.send(json_response(Status::ok,
                                                encode_share(slug, submission, shown, base64)));
                     });
                   });
             });
}

}  // namespace ide::http
