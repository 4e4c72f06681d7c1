#include "remote/methods.hpp"

#include <exception>
#include <stdexcept>
#include <utility>

#include <boost/json.hpp>

#include "core/json.hpp"

#include "remote/codec.hpp"
#include "remote/live_codec.hpp"

namespace ide::remote {

namespace json = boost::json;

namespace {

using Call = std::function<core::Result<json::value>(const json::object& args)>;

/// `call`, with a malformed argument (a missing field, a wrong type) answered invalid_argument.
Method method(std::string name, Call call) {
  return {name, [name, call = std::move(call)](const json::object& args) {
            try {
              return call(args);
            } catch (const std::exception& e) {
              return core::Result<json::value>(
                  core::fail(core::ErrorCode::invalid_argument,
                             "malformed arguments of internal method " + name + ": " + e.what()));
            }
          }};
}

/// The answer of a call that returned `result`, its value made JSON by `encode`.
template <typename T, typename Encode>
core::Result<json::value> answer(core::Result<T> result, Encode encode) {
  if (!result) return core::Unexpected(result.error());
  return json::value(encode(*result));
}

template <typename T>
core::Result<json::value> answer(core::Result<T> result) {
  return answer(std::move(result), [](const T& value) { return to_json(value); });
}

core::Result<json::value> answer(core::Result<void> result) {
  if (!result) return core::Unexpected(result.error());
  return json::value(json::object());
}

std::string string_arg(const json::object& args, std::string_view name) {
  return std::string(args.at(name).as_string());
}

std::vector<std::string> ids_arg(const json::object& args) {
  return json::value_to<std::vector<std::string>>(args.at("ids"));
}

json::object count(std::size_t n) { return {{"count", n}}; }

}  // namespace

std::vector<Method> submission_methods(submission::SubmissionService& service) {
  auto& s = service;
  return {
      method("submit_code",
             [&s](const json::object& args) {
               auto request = from_json<submission::NewSubmission>(args);
               if (!request) return core::Result<json::value>(core::Unexpected(request.error()));
               return answer(s.submit_code(std::move(*request)), [](const std::string& id) {
                 return json::object{{"id", id}};
               });
             }),
      method("get",
             [&s](const json::object& args) { return answer(s.get(string_arg(args, "id"))); }),
      method("exists",
             [&s](const json::object& args) {
               return answer(s.exists(string_arg(args, "id")), [](bool exists) {
                 return json::object{{"exists", exists}};
               });
             }),
      method("list_created_before",
             [&s](const json::object& args) {
               const core::TimePoint cutoff(
                   core::TimePoint::duration(args.at("cutoff").to_number<std::int64_t>()));
               return answer(s.list_created_before(
                   cutoff, args.at("limit").to_number<std::size_t>(), string_arg(args, "after")));
             }),
      method("list_class_submissions",
             [&s](const json::object& args) {
               auto query = from_json<submission::ClassSubmissionQuery>(args);
               if (!query) return core::Result<json::value>(core::Unexpected(query.error()));
               return answer(s.list_class_submissions(*query));
             }),
      method("purge",
             [&s](const json::object& args) { return answer(s.purge(ids_arg(args)), count); }),
  };
}

std::vector<Method> result_methods(result::ResultService& service) {
  auto& r = service;
  return {
      method("enqueue",
             [&r](const json::object& args) { return answer(r.enqueue(string_arg(args, "id"))); }),
      method(
          "get_result",
          [&r](const json::object& args) { return answer(r.get_result(string_arg(args, "id"))); }),
      method("check_runnable",
             [&r](const json::object& args) {
               auto limits = from_json<core::RequestedLimits>(args.at("limits"));
               if (!limits) return core::Result<json::value>(core::Unexpected(limits.error()));
               return answer(r.check_runnable(string_arg(args, "language"), *limits));
             }),
      method("languages", [&r](const json::object&) { return answer(r.languages()); }),
      method("queue_stats", [&r](const json::object&) { return answer(r.queue_stats()); }),
      method("purge", [&r](const json::object& args) { return answer(r.purge(ids_arg(args))); }),
      // Blocks this worker's thread for its wait, which the service holds to kMaxLiveWait.
      method("read_live",
             [&r](const json::object& args) {
               return answer(r.read_live(
                   string_arg(args, "id"), args.at("from_offset").to_number<std::uint64_t>(),
                   std::chrono::milliseconds(args.at("wait_ms").to_number<std::int64_t>())));
             }),
      method("send_stdin",
             [&r](const json::object& args) {
               const std::string bytes = core::json::bytes_from_json(args.at("bytes"));
               return answer(r.send_stdin(string_arg(args, "id"), bytes,
                                          args.at("close").as_bool()));
             }),
  };
}

std::vector<Method> url_methods(url::UrlService& service) {
  auto& u = service;
  return {
      method("generate_url",
             [&u](const json::object& args) {
               return answer(u.generate_url(string_arg(args, "id")));
             }),
      method("resolve",
             [&u](const json::object& args) {
               return answer(u.resolve(string_arg(args, "slug")), [](const std::string& id) {
                 return json::object{{"id", id}};
               });
             }),
      method("shared_among",
             [&u](const json::object& args) { return answer(u.shared_among(ids_arg(args))); }),
      method("purge_submissions",
             [&u](const json::object& args) {
               return answer(u.purge_submissions(ids_arg(args)), count);
             }),
  };
}

std::vector<Method> problem_methods(problem::ProblemService& service) {
  auto& p = service;
  const auto content_arg = [](const json::object& args) {
    auto content = from_json<problem::ProblemContent>(args.at("content"));
    if (!content) throw std::invalid_argument(content.error().message);
    return std::move(*content);
  };
  return {
      method("create",
             [&p, content_arg](const json::object& args) {
               return answer(p.create(content_arg(args)), [](const std::string& id) {
                 return json::object{{"id", id}};
               });
             }),
      method("replace",
             [&p, content_arg](const json::object& args) {
               return answer(p.replace(string_arg(args, "id"), content_arg(args)));
             }),
      method("get",
             [&p](const json::object& args) { return answer(p.get(string_arg(args, "id"))); }),
      method("list",
             [&p](const json::object&) {
               return answer(p.list(), [](const std::vector<problem::ProblemSummary>& list) {
                 return json::object{{"problems", to_json(list)}};
               });
             }),
      method("remove",
             [&p](const json::object& args) { return answer(p.remove(string_arg(args, "id"))); }),
  };
}

std::vector<Method> access_methods(access::AccessService& service) {
  auto& a = service;
  return {
      method("create",
             [&a](const json::object& args) {
               auto request = from_json<access::NewClassToken>(args.at("request"));
               if (!request) throw std::invalid_argument(request.error().message);
               return answer(a.create(std::move(*request)));
             }),
      method("list",
             [&a](const json::object&) {
               return answer(a.list(), [](const std::vector<access::ClassToken>& list) {
                 return json::object{{"tokens", to_json(list)}};
               });
             }),
      method("get",
             [&a](const json::object& args) { return answer(a.get(string_arg(args, "id"))); }),
      method("revoke",
             [&a](const json::object& args) { return answer(a.revoke(string_arg(args, "id"))); }),
      method("authenticate",
             [&a](const json::object& args) {
               return answer(a.authenticate(string_arg(args, "secret")));
             }),
  };
}

core::Result<WatchArgs> watch_args(const json::object& args) {
  const json::value* id = args.if_contains("id");
  const json::value* wait = args.if_contains("wait_ms");
  if (id == nullptr || !id->is_string() || wait == nullptr || !wait->is_int64() ||
      wait->get_int64() < 0 || wait->get_int64() > kMaxWatch.count()) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "watch_result needs an id and a wait_ms within 0 and 60000");
  }
  return WatchArgs{std::string(id->get_string()), std::chrono::milliseconds(wait->get_int64())};
}

json::value run_result_to_json(const result::RunResult& run) { return to_json(run); }

}  // namespace ide::remote
