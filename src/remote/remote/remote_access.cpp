#include "remote/remote_access.hpp"

#include "remote/answer.hpp"

namespace ide::remote {

namespace json = boost::json;

core::Result<access::IssuedClassToken> RemoteAccessService::create(access::NewClassToken request) {
  return decode_answer<access::IssuedClassToken>(
      transport_->call("create", json::object{{"request", to_json(request)}}, Retry::never));
}

core::Result<std::vector<access::ClassToken>> RemoteAccessService::list() {
  return decode_answer<std::vector<access::ClassToken>>(
      transport_->call("list", json::object(), Retry::idempotent), "tokens");
}

core::Result<access::ClassToken> RemoteAccessService::get(std::string_view id) {
  return decode_answer<access::ClassToken>(
      transport_->call("get", json::object{{"id", id}}, Retry::idempotent));
}

core::Result<void> RemoteAccessService::revoke(std::string_view id) {
  // Idempotent in effect: a retried revoke that finds nothing answers not_found, which the
  // caller of a lost first answer cannot tell from "already gone".
  return decode_void(transport_->call("revoke", json::object{{"id", id}}, Retry::idempotent));
}

core::Result<access::Bearer> RemoteAccessService::authenticate(std::string_view secret) {
  return decode_answer<access::Bearer>(
      transport_->call("authenticate", json::object{{"secret", secret}}, Retry::idempotent));
}

}  // namespace ide::remote
