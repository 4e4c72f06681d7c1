#include "http/class_codec.hpp"

#include <string>
#include <utility>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/json.hpp"

namespace ide::http {

namespace json = boost::json;

namespace {

core::Result<std::optional<core::TimePoint>> decode_expiry(const json::object& body) {
  auto text = core::json::optional_string(body, "expires_at");
  if (!text) return core::Unexpected(text.error());
  if (!*text) return std::optional<core::TimePoint>();
  std::optional<core::TimePoint> expires_at = core::from_rfc3339(**text);
  if (!expires_at) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "Field 'expires_at' must be an RFC 3339 time, e.g. "
                      "\"2027-01-31T23:59:59Z\".");
  }
  return expires_at;
}

}  // namespace

core::Result<access::NewClassToken> decode_new_class(std::string_view body) {
  auto object = core::json::parse_object(body);
  if (!object) return core::Unexpected(object.error());
  auto name = core::json::required_string(*object, "name");
  if (!name) return core::Unexpected(name.error());
  auto per_hour = core::json::optional_int(*object, "quota_per_hour");
  if (!per_hour) return core::Unexpected(per_hour.error());
  auto max_queued = core::json::optional_int(*object, "max_queued");
  if (!max_queued) return core::Unexpected(max_queued.error());
  auto expires_at = decode_expiry(*object);
  if (!expires_at) return core::Unexpected(expires_at.error());
  return access::NewClassToken{.name = std::move(*name),
                               .quota = {.submissions_per_hour = per_hour->value_or(0),
                                         .max_queued = max_queued->value_or(0)},
                               .expires_at = *expires_at};
}

json::object encode_class(const access::ClassToken& token) {
  json::value expires_at = nullptr;
  if (token.expires_at) expires_at = json::string(core::to_rfc3339(*token.expires_at));
  return {{"id", token.id},
          {"name", core::json::to_json_string_lossy(token.name)},
          {"quota_per_hour", token.quota.submissions_per_hour},
          {"max_queued", token.quota.max_queued},
          {"expires_at", std::move(expires_at)},
          {"created_at", core::to_rfc3339(token.created_at)}};
}

json::object encode_issued_class(const access::IssuedClassToken& issued) {
  json::object body = encode_class(issued.token);
  body["token"] = issued.student_secret;
  body["owner_token"] = issued.owner_secret;
  return body;
}

json::object encode_class_list(const std::vector<access::ClassToken>& tokens) {
  json::array classes;
  for (const access::ClassToken& token : tokens) classes.push_back(encode_class(token));
  return {{"classes", std::move(classes)}};
}

boost::json::object encode_caller(const Caller& caller) {
  if (!caller.member) {
    return {{"role", caller.admin ? "admin" : "anonymous"}, {"class", nullptr}};
  }
  return {{"role", caller.member->role == access::Role::owner ? "owner" : "student"},
          {"class", encode_class(caller.member->token)}};
}

}  // namespace ide::http
