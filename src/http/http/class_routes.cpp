// Class tokens (issue 12): made, listed and revoked by an admin, read by their owner, and who a
// bearer is (whoami). Submitting with them is members.hpp's business, not this file's.
#include <utility>

#include <boost/json.hpp>

#include "http/admin_auth.hpp"
#include "http/class_codec.hpp"
#include "http/errors.hpp"
#include "http/members.hpp"
#include "http/routes.hpp"

namespace ide::http {

namespace {

/// `handler`, answered 401 unless an admin sent the request: every class route is an admin's.
Handler admin_only(const ApiContext& api, Handler handler) {
  return admin_only(api.admin_tokens, std::move(handler), "class tokens");
}

void add_reads(Router& router, const ApiContext& api, access::AccessService& access) {
  router.add(Verb::get, "/api/v1/classes", admin_only(api, [&access](Request, Reply reply) {
               auto tokens = access.list();
               if (!tokens) return reply.send(error_response(tokens.error()));
               reply.send(json_response(Status::ok, encode_class_list(*tokens)));
             }));
  // Its owner may read it too: the teacher's view shows its name and quota.
  router.add(Verb::get, "/api/v1/classes/{id}",
             class_owner_only(api, [&access](Request request, Reply reply) {
               auto token = access.get(request.param("id"));
               if (!token) return reply.send(error_response(token.error()));
               reply.send(json_response(Status::ok, encode_class(*token)));
             }));
  // Asks the access module only when a bearer is sent, so anyone may ask.
  router.add(
      Verb::get, "/api/v1/whoami",
      [api](Request request, Reply reply) {
        auto caller = identify(api, request);
        if (!caller) return reply.send(error_response(caller.error()));
        reply.send(json_response(Status::ok, encode_caller(*caller)));
      },
      {.blocking = true, .new_work = false, .always_public = true});
}

void add_writes(Router& router, const ApiContext& api, access::AccessService& access) {
  router.add(Verb::post, "/api/v1/classes",
             admin_only(api, [&access](Request request, Reply reply) {
               auto requested = decode_new_class(request.body);
               if (!requested) return reply.send(error_response(requested.error()));
               auto issued = access.create(std::move(*requested));
               if (!issued) return reply.send(error_response(issued.error()));
               Response created = json_response(Status::created, encode_issued_class(*issued));
               // The secrets are shown this once: no cache may keep them.
               created.headers.emplace_back("Cache-Control", "no-store");
               reply.send(std::move(created));
             }));
  router.add(Verb::delete_, "/api/v1/classes/{id}",
             admin_only(api, [&access](Request request, Reply reply) {
               if (auto revoked = access.revoke(request.param("id")); !revoked) {
                 return reply.send(error_response(revoked.error()));
               }
               Response deleted;
               deleted.status = Status::no_content;
               reply.send(std::move(deleted));
             }));
}

}  // namespace

void add_class_routes(Router& router, const ApiContext& api) {
  if (api.access == nullptr) return;
  add_reads(router, api, *api.access);
  add_writes(router, api, *api.access);
}

}  // namespace ide::http
