// What the remote clients share: decoding a call's answer into the interface's return type.
#pragma once

#include <string_view>

#include <boost/json.hpp>

#include "core/error.hpp"
#include "remote/codec.hpp"

namespace ide::remote {

/// The T in a call's answer `json` (all of it, or its field `field` when not empty).
template <typename T>
core::Result<T> decode_answer(core::Result<boost::json::value> json, std::string_view field = {}) {
  if (!json) return core::Unexpected(json.error());
  const boost::json::object* object = json->if_object();
  const boost::json::value* value =
      field.empty() ? &*json : (object ? object->if_contains(field) : nullptr);
  core::Result<T> decoded =
      value ? from_json<T>(*value)
            : core::fail(core::ErrorCode::invalid_argument, "no field " + std::string(field));
  // A peer that answers nonsense is a bug in the deployment, not in the caller's request.
  if (!decoded) return core::fail(core::ErrorCode::internal, decoded.error().message);
  return decoded;
}

/// Success or the error of a call answering nothing.
inline core::Result<void> decode_void(core::Result<boost::json::value> json) {
  if (!json) return core::Unexpected(json.error());
  return {};
}

}  // namespace ide::remote
