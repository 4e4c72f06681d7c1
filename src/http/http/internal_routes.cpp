#include "http/internal_routes.hpp"

#include <memory>
#include <utility>

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "core/json.hpp"
#include "http/errors.hpp"
#include "remote/methods.hpp"
#include "remote/transport.hpp"

namespace ide::http {

namespace {

Response marked(Response response) {
  response.headers.emplace_back(std::string(remote::kInternalHeader),
                                std::string(remote::kInternalVersion));
  return response;
}

Response answer(core::Result<boost::json::value> result) {
  if (!result) return marked(error_response(result.error()));
  return marked(json_response(Status::ok, *result));
}

/// The handler of one method: checks the token, parses the arguments and answers what `call`
/// gives (through its Reply, since a long poll answers later).
using Call = std::function<void(const boost::json::object& args, const Reply& reply)>;

Handler guarded(std::shared_ptr<const std::string> token, Call call) {
  return [token = std::move(token), call = std::move(call)](Request request, Reply reply) {
    if (!core::same_secret(request.authorization, "Bearer " + *token)) {
      return reply.send(marked(error_response(
          {core::ErrorCode::unauthorized, "The internal API needs the deployment's token."})));
    }
    auto args = core::json::parse_object(request.body);
    std::string().swap(request.body);
    if (!args) return reply.send(marked(error_response(args.error())));
    call(*args, reply);
  };
}

void add_methods(Router& router, std::string_view module, std::vector<remote::Method> methods,
                 const std::shared_ptr<const std::string>& token) {
  for (remote::Method& method : methods) {
    const std::string path =
        std::string(remote::kInternalPrefix) + "/" + std::string(module) + "/" + method.name;
    router.add(Verb::post, path,
               guarded(token, [call = std::move(method.call)](const boost::json::object& args,
                                                              const Reply& reply) {
                 reply.send(answer(call(args)));
               }));
  }
}

/// result/watch_result: the public long poll's mechanism, answered from the module's callback.
void watch(result::ResultService& results, const remote::WatchArgs& args, const Reply& reply) {
  const auto on_pool = [reply](std::function<void()> task) {
    reply.post_blocking(std::move(task));
  };
  auto watched = results.watch_result(args.id, args.wait, on_pool,
                                      [reply](core::Result<result::RunResult> run) {
                                        if (!run)
                                          return reply.send(marked(error_response(run.error())));
                                        reply.send(answer(remote::run_result_to_json(*run)));
                                      });
  if (!watched) reply.send(marked(error_response(watched.error())));
}

void add_watch(Router& router, result::ResultService& results,
               const std::shared_ptr<const std::string>& token) {
  // Not on the blocking pool while it waits: only the lookup goes there.
  const auto on_strand = [&results](const boost::json::object& body, const Reply& reply) {
    auto args = remote::watch_args(body);
    if (!args) return reply.send(marked(error_response(args.error())));
    reply.post_blocking([&results, args = *args, reply] { watch(results, args, reply); });
  };
  router.add(Verb::post, std::string(remote::kInternalPrefix) + "/result/watch_result",
             guarded(token, on_strand), {.blocking = false});
}

}  // namespace

void add_internal_routes(Router& router, const HostedServices& hosted, const std::string& token) {
  if (token.empty()) return;
  const auto shared_token = std::make_shared<const std::string>(token);
  if (hosted.submissions) {
    add_methods(router, "submission", remote::submission_methods(*hosted.submissions),
                shared_token);
  }
  if (hosted.results) {
    add_methods(router, "result", remote::result_methods(*hosted.results), shared_token);
    add_watch(router, *hosted.results, shared_token);
  }
  if (hosted.urls) add_methods(router, "url", remote::url_methods(*hosted.urls), shared_token);
  if (hosted.problems) {
    add_methods(router, "problem", remote::problem_methods(*hosted.problems), shared_token);
  }
  if (hosted.access) {
    add_methods(router, "access", remote::access_methods(*hosted.access), shared_token);
  }
}

}  // namespace ide::http
