#include "core/error.hpp"

namespace ide::core {

Error store_error(const std::exception& e) {
  const auto* store = dynamic_cast<const StoreError*>(&e);
  if (store != nullptr && store->is_storage_fault()) {
    return {ErrorCode::storage_unavailable, std::string("Storage is unavailable: ") + e.what()};
  }
  return {ErrorCode::internal, std::string("Internal error: ") + e.what()};
}

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return "invalid_request";
    case ErrorCode::unknown_language:
      return "unknown_language";
    case ErrorCode::invalid_limits:
      return "invalid_limits";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::payload_too_large:
      return "payload_too_large";
    case ErrorCode::queue_full:
      return "queue_full";
    case ErrorCode::rate_limited:
      return "rate_limited";
    case ErrorCode::shutting_down:
      return "shutting_down";
    case ErrorCode::storage_unavailable:
      return "storage_unavailable";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::unauthorized:
      return "unauthorized";
    case ErrorCode::internal:
      return "internal_error";
  }
  return "internal_error";
}

}  // namespace ide::core
