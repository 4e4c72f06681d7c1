#include "remote/remote_url.hpp"

#include "remote/answer.hpp"

namespace ide::remote {

namespace json = boost::json;

core::Result<url::ShareLink> RemoteUrlService::generate_url(std::string_view submission_id) {
  // Idempotent by contract: the slug is a keyed hash of the id.
  return decode_answer<url::ShareLink>(
      transport_->call("generate_url", json::object{{"id", submission_id}}, Retry::idempotent));
}

core::Result<std::string> RemoteUrlService::resolve(std::string_view slug) {
  return decode_answer<std::string>(
      transport_->call("resolve", json::object{{"slug", slug}}, Retry::idempotent), "id");
}

core::Result<std::vector<std::string>> RemoteUrlService::shared_among(
    const std::vector<std::string>& submission_ids) {
  return decode_answer<std::vector<std::string>>(transport_->call(
      "shared_among", json::object{{"ids", json::value_from(submission_ids)}}, Retry::idempotent));
}

core::Result<std::size_t> RemoteUrlService::purge_submissions(
    const std::vector<std::string>& submission_ids) {
  return decode_answer<std::size_t>(
      transport_->call("purge_submissions", json::object{{"ids", json::value_from(submission_ids)}},
                       Retry::idempotent),
      "count");
}

}  // namespace ide::remote
