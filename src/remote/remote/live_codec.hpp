// JSON of ResultService's live methods (read_live, send_stdin) on the internal API: the
// to_json/from_json of remote/codec.hpp for their types. Output bytes are byte-exact
// (core::json::bytes_to_json).
#pragma once

#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "remote/codec.hpp"
#include "result/result_service.hpp"

namespace ide::remote {

template <>
boost::json::value to_json(const result::LiveOutput& value);
template <>
core::Result<result::LiveOutput> from_json(const boost::json::value& json);

template <>
boost::json::value to_json(const result::StdinReply& value);
template <>
core::Result<result::StdinReply> from_json(const boost::json::value& json);

}  // namespace ide::remote
