#include "remote/remote_problem.hpp"

#include "remote/answer.hpp"

namespace ide::remote {

namespace json = boost::json;

core::Result<std::string> RemoteProblemService::create(problem::ProblemContent content) {
  return decode_answer<std::string>(
      transport_->call("create", json::object{{"content", to_json(content)}}, Retry::never), "id");
}

core::Result<void> RemoteProblemService::replace(std::string_view id,
                                                 problem::ProblemContent content) {
  return decode_void(transport_->call(
      "replace", json::object{{"id", id}, {"content", to_json(content)}}, Retry::idempotent));
}

core::Result<problem::Problem> RemoteProblemService::get(std::string_view id) {
  return decode_answer<problem::Problem>(
      transport_->call("get", json::object{{"id", id}}, Retry::idempotent));
}

core::Result<std::vector<problem::ProblemSummary>> RemoteProblemService::list() {
  return decode_answer<std::vector<problem::ProblemSummary>>(
      transport_->call("list", json::object(), Retry::idempotent), "problems");
}

core::Result<void> RemoteProblemService::remove(std::string_view id) {
  // Idempotent in effect: a retried remove that finds nothing answers not_found, which the
  // caller of a lost first answer cannot tell from "already gone".
  return decode_void(transport_->call("remove", json::object{{"id", id}}, Retry::idempotent));
}

}  // namespace ide::remote
