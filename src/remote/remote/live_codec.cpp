#include "remote/live_codec.hpp"

#include <exception>

#include <boost/json.hpp>

#include "core/json.hpp"

namespace ide::remote {

namespace json = boost::json;

namespace {

constexpr result::StdinReply kAllReplies[] = {
    result::StdinReply::accepted,        result::StdinReply::not_found,
    result::StdinReply::not_interactive, result::StdinReply::not_started,
    result::StdinReply::ended,           result::StdinReply::too_large};

core::Result<result::LiveChunk> chunk_from_json(const json::value& value) {
  const json::object& object = value.as_object();
  const json::string& stream = object.at("stream").as_string();
  if (stream != "stdout" && stream != "stderr") {
    return core::fail(core::ErrorCode::invalid_argument, "a live chunk's stream is not known");
  }
  return result::LiveChunk{
      stream == "stdout" ? result::LiveStream::stdout_stream : result::LiveStream::stderr_stream,
      core::json::bytes_from_json(object.at("bytes"))};
}

}  // namespace

template <>
json::value to_json(const result::LiveOutput& value) {
  json::array chunks;
  for (const result::LiveChunk& chunk : value.chunks) {
    chunks.push_back(json::object{{"stream", result::to_string(chunk.stream)},
                                  {"bytes", core::json::bytes_to_json(chunk.bytes)}});
  }
  return json::object{
      {"chunks", std::move(chunks)}, {"next_offset", value.next_offset}, {"done", value.done}};
}

template <>
core::Result<result::LiveOutput> from_json(const json::value& value) {
  try {
    const json::object& object = value.as_object();
    result::LiveOutput output;
    for (const json::value& chunk : object.at("chunks").as_array()) {
      auto decoded = chunk_from_json(chunk);
      if (!decoded) return core::Unexpected(decoded.error());
      output.chunks.push_back(std::move(*decoded));
    }
    output.next_offset = object.at("next_offset").to_number<std::uint64_t>();
    output.done = object.at("done").as_bool();
    return output;
  } catch (const std::exception& e) {
    return core::fail(core::ErrorCode::invalid_argument, std::string("live output: ") + e.what());
  }
}

template <>
json::value to_json(const result::StdinReply& value) {
  return json::object{{"reply", result::to_string(value)}};
}

template <>
core::Result<result::StdinReply> from_json(const json::value& value) {
  const json::object* object = value.if_object();
  const json::value* reply = object ? object->if_contains("reply") : nullptr;
  if (reply != nullptr && reply->is_string()) {
    for (result::StdinReply known : kAllReplies) {
      if (reply->get_string() == result::to_string(known)) return known;
    }
  }
  return core::fail(core::ErrorCode::invalid_argument, "a stdin reply is not known");
}

}  // namespace ide::remote
