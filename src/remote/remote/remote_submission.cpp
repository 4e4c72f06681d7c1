#include "remote/remote_submission.hpp"

#include "remote/answer.hpp"

namespace ide::remote {

namespace json = boost::json;

core::Result<std::string> RemoteSubmissionService::submit_code(submission::NewSubmission request) {
  // Not retried: after a lost connection the submission may have been kept, and a second try
  // would keep (and run) it twice.
  return decode_answer<std::string>(transport_->call("submit_code", to_json(request), Retry::never),
                                    "id");
}

core::Result<submission::Submission> RemoteSubmissionService::get(std::string_view id) {
  return decode_answer<submission::Submission>(
      transport_->call("get", json::object{{"id", id}}, Retry::idempotent));
}

core::Result<bool> RemoteSubmissionService::exists(std::string_view id) {
  return decode_answer<bool>(
      transport_->call("exists", json::object{{"id", id}}, Retry::idempotent), "exists");
}

core::Result<submission::SubmissionIdPage> RemoteSubmissionService::list_created_before(
    core::TimePoint cutoff, std::size_t limit, std::string_view after) {
  const json::object args{
      {"cutoff", cutoff.time_since_epoch().count()}, {"limit", limit}, {"after", after}};
  return decode_answer<submission::SubmissionIdPage>(
      transport_->call("list_created_before", args, Retry::idempotent));
}

core::Result<submission::ClassSubmissionPage> RemoteSubmissionService::list_class_submissions(
    const submission::ClassSubmissionQuery& query) {
  return decode_answer<submission::ClassSubmissionPage>(
      transport_->call("list_class_submissions", to_json(query), Retry::idempotent));
}

core::Result<std::size_t> RemoteSubmissionService::purge(const std::vector<std::string>& ids) {
  return decode_answer<std::size_t>(
      transport_->call("purge", json::object{{"ids", json::value_from(ids)}}, Retry::idempotent),
      "count");
}

}  // namespace ide::remote
