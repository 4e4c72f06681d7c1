#include "http/errors.hpp"

#include <boost/json.hpp>

#include "core/json.hpp"

namespace ide::http {

Status status_for(core::ErrorCode code) {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::invalid_argument:
      return Status::bad_request;
    case ErrorCode::unknown_language:
      return Status::unprocessable_entity;
    case ErrorCode::invalid_limits:
      return Status::unprocessable_entity;
    case ErrorCode::not_found:
      return Status::not_found;
    case ErrorCode::payload_too_large:
      return Status::payload_too_large;
    case ErrorCode::queue_full:
      return Status::service_unavailable;
    case ErrorCode::rate_limited:
      return Status::too_many_requests;
    case ErrorCode::shutting_down:
      return Status::service_unavailable;
    case ErrorCode::storage_unavailable:
      return Status::service_unavailable;
    case ErrorCode::unavailable:
      return Status::service_unavailable;
    case ErrorCode::unauthorized:
      return Status::unauthorized;
    case ErrorCode::internal:
      return Status::internal_server_error;
  }
  return Status::internal_server_error;
}

std::optional<int> default_retry_after(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::queue_full:
      return 5;
    case core::ErrorCode::rate_limited:
      return 60;
    case core::ErrorCode::shutting_down:
      return 10;
    case core::ErrorCode::unavailable:
      return 5;
    default:
      return std::nullopt;
  }
}

namespace {

Response make_error(Status status, core::ErrorCode code, std::string_view message,
                    std::optional<int> retry_after_s) {
  boost::json::object error;
  error["code"] = core::to_string(code);
  error["message"] = core::json::to_json_string_lossy(message);
  boost::json::object body;
  body["error"] = std::move(error);
  Response response = json_response(status, body);
  if (retry_after_s) response.headers.emplace_back("Retry-After", std::to_string(*retry_after_s));
  // A 401 says how to authenticate (RFC 9110 section 11.6.1).
  if (status == Status::unauthorized) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

}  // namespace

Response error_response(const core::Error& error, std::optional<int> retry_after_s) {
  if (!retry_after_s) retry_after_s = default_retry_after(error.code);
  return make_error(status_for(error.code), error.code, error.message, retry_after_s);
}

Response error_response(Status status, core::ErrorCode code, std::string message) {
  return make_error(status, code, message, std::nullopt);
}

Response json_response(Status status, const boost::json::value& body) {
  Response response;
  response.status = status;
  response.content_type = std::string(kJsonType);
  response.body = core::json::serialize(body);
  // Serialising grows the string by doubling: up to twice the bytes for a body of megabytes,
  // held until the client has read it (and counted against the server's budget of unsent bytes).
  if (response.body.capacity() - response.body.size() > 64 * 1024) response.body.shrink_to_fit();
  return response;
}

}  // namespace ide::http
