// The teacher's view of a class (issue 12, item 4): its submissions, a report per problem and
// student, and the scores as CSV, for an admin or the class's owner token.
#include <cctype>
#include <functional>
#include <memory>
#include <utility>

#include "compose/class_views.hpp"
#include "http/class_view_codec.hpp"
#include "http/errors.hpp"
#include "http/members.hpp"
#include "http/routes.hpp"

namespace ide::http {

namespace {

using ClassAnswer =
    std::function<Response(const Request&, const access::ClassToken&, compose::ClassViews&)>;

/// A route of the class named by the path's {id}: 404 when there is none, 401 unless an admin
/// or its owner asks; else what `answer` makes of it.
Handler class_view(const ApiContext& api, std::shared_ptr<compose::ClassViews> views,
                   ClassAnswer answer) {
  return class_owner_only(api, [&access = *api.access, views = std::move(views),
                                answer = std::move(answer)](Request request, Reply reply) {
    auto token = access.get(request.param("id"));
    if (!token) return reply.send(error_response(token.error()));
    reply.send(answer(request, *token, *views));
  });
}

Response submissions_page(const Request& request, const access::ClassToken& token,
                          compose::ClassViews& views) {
  auto query = decode_class_query(request, token.id);
  if (!query) return error_response(query.error());
  auto rows = views.page(*query);
  if (!rows) return error_response(rows.error());
  return json_response(Status::ok, encode_class_rows(*rows));
}

Response report(const Request&, const access::ClassToken& token, compose::ClassViews& views) {
  auto report = views.report(token.id);
  if (!report) return error_response(report.error());
  return json_response(Status::ok, encode_class_report(*report));
}

Response scores_csv(const Request&, const access::ClassToken& token, compose::ClassViews& views) {
  auto report = views.report(token.id);
  if (!report) return error_response(report.error());
  Response response;
  response.content_type = "text/csv; charset=utf-8";
  response.body = encode_scores_csv(*report);
  std::string file;
  for (char c : token.name) file += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"scores-" + file + ".csv\"");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace

void add_class_view_routes(Router& router, const ApiContext& api) {
  if (api.access == nullptr) return;
  auto views = std::make_shared<compose::ClassViews>(api.submissions, api.views, api.problems);
  router.add(Verb::get, "/api/v1/classes/{id}/submissions",
             class_view(api, views, submissions_page));
  router.add(Verb::get, "/api/v1/classes/{id}/report", class_view(api, views, report));
  router.add(Verb::get, "/api/v1/classes/{id}/scores.csv", class_view(api, views, scores_csv));
}

}  // namespace ide::http
