// generateUrl and getSubmission (the public share view, which never shows the submission id).
#include "http/routes.hpp"

#include <boost/json.hpp>

#include "http/codec.hpp"
#include "http/errors.hpp"
#include "http/query.hpp"

namespace ide::http {

void add_url_routes(Router& router, url::UrlService& urls, compose::SubmissionViews& views,
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

  router.add(Verb::get, "/api/v1/shares/{slug}", [&views](Request request, Reply reply) {
    auto base64 = base64_param(request);
    if (!base64) return reply.send(error_response(base64.error()));
    auto shared = views.shared(request.param("slug"));
    if (!shared) return reply.send(error_response(shared.error()));
    reply.send(json_response(
        Status::ok, encode_share(shared->slug, shared->submission, shared->result, *base64)));
  });
}

}  // namespace ide::http
