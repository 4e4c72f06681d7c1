// Problems (issue 12): written by an admin, read by anyone, submitted to with a problem_id.
#include <utility>

#include <boost/json.hpp>

#include "compose/problem_submissions.hpp"
#include "http/admin_auth.hpp"
#include "http/errors.hpp"
#include "http/problem_codec.hpp"
#include "http/routes.hpp"

namespace ide::http {

namespace {

/// The problem `request` carries, refused when it is malformed or the server could not run it.
core::Result<problem::ProblemContent> written_problem(const ApiContext& api,
                                                      const Request& request) {
  auto content = decode_problem(request.body);
  if (!content) return content;
  if (auto runnable = compose::check_problem_runnable(api.results, *content); !runnable) {
    return core::Unexpected(runnable.error());
  }
  return content;
}

void add_writes(Router& router, const ApiContext& api) {
  router.add(Verb::post, "/api/v1/problems",
             admin_only(api.admin_tokens, [api](Request request, Reply reply) {
               auto content = written_problem(api, request);
               if (!content) return reply.send(error_response(content.error()));
               auto id = api.problems.create(std::move(*content));
               if (!id) return reply.send(error_response(id.error()));
               reply.send(json_response(Status::created, {{"id", *id}}));
             }));
  router.add(Verb::put, "/api/v1/problems/{id}",
             admin_only(api.admin_tokens, [api](Request request, Reply reply) {
               auto content = written_problem(api, request);
               if (!content) return reply.send(error_response(content.error()));
               const std::string id(request.param("id"));
               if (auto replaced = api.problems.replace(id, std::move(*content)); !replaced) {
                 return reply.send(error_response(replaced.error()));
               }
               reply.send(json_response(Status::ok, {{"id", id}}));
             }));
  router.add(Verb::delete_, "/api/v1/problems/{id}",
             admin_only(api.admin_tokens, [api](Request request, Reply reply) {
               if (auto removed = api.problems.remove(request.param("id")); !removed) {
                 return reply.send(error_response(removed.error()));
               }
               Response deleted;
               deleted.status = Status::no_content;
               reply.send(std::move(deleted));
             }));
}

}  // namespace

void add_problem_routes(Router& router, const ApiContext& api) {
  router.add(Verb::get, "/api/v1/problems", [api](Request, Reply reply) {
    auto problems = api.problems.list();
    if (!problems) return reply.send(error_response(problems.error()));
    reply.send(json_response(Status::ok, encode_problem_list(*problems)));
  });
  router.add(Verb::get, "/api/v1/problems/{id}", [api](Request request, Reply reply) {
    auto problem = api.problems.get(request.param("id"));
    if (!problem) return reply.send(error_response(problem.error()));
    const bool admin = is_admin(api.admin_tokens, request);
    Response response = json_response(
        Status::ok, encode_problem(*problem, admin ? HiddenTests::shown : HiddenTests::redacted));
    // What the page shows depends on who asks: a shared cache must not mix the two.
    add_vary(response, "Authorization");
    reply.send(std::move(response));
  });
  add_writes(router, api);
}

}  // namespace ide::http
