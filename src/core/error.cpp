#include "core/error.hpp"

#include "core/metrics.hpp"

namespace ide::core {

namespace {

ErrorCode store_error_code(const std::exception& e) {
  const auto* store = dynamic_cast<const StoreError*>(&e);
  return store != nullptr && store->is_storage_fault() ? ErrorCode::storage_unavailable
                                                       : ErrorCode::internal;
}

}  // namespace

Error store_error(const std::exception& e, std::string_view module) {
  count_store_error(e, module);
  if (store_error_code(e) == ErrorCode::storage_unavailable) {
    return {ErrorCode::storage_unavailable, std::string("Storage is unavailable: ") + e.what()};
  }
  return {ErrorCode::internal, std::string("Internal error: ") + e.what()};
}

void count_store_error(const std::exception& e, std::string_view module) {
  static auto& errors = metrics::process_registry().counter(
      "ide_database_errors_total",
      "Failed calls into a module's store (SQLite or PostgreSQL), by module and the error code "
      "they gave: storage_unavailable (disk full or read-only, database unreachable) or "
      "internal_error.",
      {"module", "code"});
  errors.with({module, to_string(store_error_code(e))}).inc();
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
