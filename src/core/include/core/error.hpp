// Protocol-agnostic errors and Result<T>, the only error shape that crosses a module boundary.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ide::core {

/// What went wrong, independent of transport. src/http maps each code to one HTTP status.
enum class ErrorCode {
  invalid_argument,     // malformed request: a field is missing or has the wrong type
  unknown_language,     // the language is not in the catalogue or not installed
  invalid_limits,       // requested limits outside the configured maxima
  not_found,            // unknown (or malformed) id or slug
  payload_too_large,    // body or field beyond the configured maximum
  queue_full,           // the bounded execution queue is full; retry later
  rate_limited,         // this client submits too fast; retry later
  shutting_down,        // the server is draining and accepts no new work
  storage_unavailable,  // the disk is full or read-only; nothing was written
  unavailable,          // a dependency cannot serve right now
  unauthorized,         // an internal call without the deployment's internal token
  internal,             // a bug or an unexpected failure
};

/// The snake_case name of `code`, as used in the HTTP error body.
std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
};

/// Mirrors std::unexpected so that Result can become std::expected in C++23.
class Unexpected {
 public:
  explicit Unexpected(Error error) : error_(std::move(error)) {}
  Unexpected(ErrorCode code, std::string message) : error_{code, std::move(message)} {}
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
};

/// A value or an Error. Same member names as std::expected<T, Error>.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit like expected
  Result(Unexpected unexpected)                              // NOLINT
      : state_(std::in_place_index<1>, std::move(unexpected).error()) {}

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

/// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected unexpected) : error_(std::move(unexpected).error()), ok_(false) {}  // NOLINT
  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Unexpected fail(ErrorCode code, std::string message) {
  return Unexpected(code, std::move(message));
}

/// What a store throws when a statement fails, whatever its engine. A service catches it at its
/// boundary and returns store_error(e, module).
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  /// True when the storage itself failed (disk full or read-only, database unreachable) rather
  /// than the statement: the caller answers storage_unavailable, not internal.
  virtual bool is_storage_fault() const { return false; }
};

/// Thrown by a store when the storage itself failed (a database that cannot be reached).
class StorageUnavailable : public StoreError {
 public:
  using StoreError::StoreError;
  bool is_storage_fault() const override { return true; }
};

/// The Error a service returns for an exception its store threw: storage_unavailable for a
/// storage fault, internal for anything else. Counted as count_store_error() does.
Error store_error(const std::exception& e, std::string_view module);

/// Counts a failure of `module`'s store in ide_database_errors_total{module,code} of the
/// process's metrics; for failures no caller hears of (a worker's claim, say).
void count_store_error(const std::exception& e, std::string_view module);

}  // namespace ide::core
