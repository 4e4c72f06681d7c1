#include "access_service_impl.hpp"

#include <exception>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/log.hpp"
#include "secrets.hpp"

namespace ide::access {

namespace {

// Longer than any secret create() makes (a prefix and 43 characters): such a bearer is refused
// without hashing it.
constexpr std::size_t kMaxSecretBytes = 128;

core::Unexpected invalid(std::string message) {
  return core::fail(core::ErrorCode::invalid_argument, std::move(message));
}

core::Unexpected not_found() {
  return core::fail(core::ErrorCode::not_found, "No class token has this id.");
}

core::Unexpected unknown_secret() {
  return core::fail(core::ErrorCode::not_found, "This token is unknown, revoked or expired.");
}

/// `time` to the millisecond, as the stores keep it: create() answers what get() will.
core::TimePoint stored_precision(core::TimePoint time) {
  return core::from_unix_ms(core::to_unix_ms(time));
}

core::Unexpected storage_failed(const std::exception& e, std::string_view what) {
  core::log::error("{} failed: {}", what, e.what());
  return core::Unexpected(core::store_error(e, "access"));
}

}  // namespace

AccessServiceImpl::AccessServiceImpl(std::unique_ptr<AccessStore> store, const core::Clock& clock,
                                     core::IdGenerator& ids, std::size_t max_class_tokens)
    : store_(std::move(store)), clock_(clock), ids_(ids), max_class_tokens_(max_class_tokens) {}

core::Result<void> AccessServiceImpl::check(const NewClassToken& request) const {
  if (request.name.empty() || request.name.size() > kMaxClassNameBytes) {
    return invalid(fmt::format("name must be 1 to {} bytes.", kMaxClassNameBytes));
  }
  if (request.quota.submissions_per_hour < 0) {
    return invalid("quota_per_hour must be 0 (no limit) or more.");
  }
  if (request.quota.max_queued < 0) return invalid("max_queued must be 0 (no limit) or more.");
  if (request.expires_at && *request.expires_at <= clock_.now()) {
    return invalid("expires_at must be in the future.");
  }
  return {};
}

core::Result<IssuedClassToken> AccessServiceImpl::create(NewClassToken request) {
  if (auto valid = check(request); !valid) return core::Unexpected(valid.error());
  try {
    std::lock_guard lock(create_mutex_);
    if (store_->count() >= max_class_tokens_) {
      return invalid(
          fmt::format("At most {} class tokens are kept: revoke one first.", max_class_tokens_));
    }
    if (request.expires_at) request.expires_at = stored_precision(*request.expires_at);
    IssuedClassToken issued{.token = {.id = ids_.new_id(),
                                      .name = std::move(request.name),
                                      .quota = request.quota,
                                      .expires_at = request.expires_at,
                                      .created_at = stored_precision(clock_.now())},
                            .student_secret = new_secret(kStudentSecretPrefix),
                            .owner_secret = new_secret(kOwnerSecretPrefix)};
    store_->insert({.token = issued.token,
                    .student_hash = secret_hash(issued.student_secret),
                    .owner_hash = secret_hash(issued.owner_secret)});
    return issued;
  } catch (const std::exception& e) {
    return storage_failed(e, "saving a class token");
  }
}

core::Result<std::vector<ClassToken>> AccessServiceImpl::list() {
  try {
    return store_->list();
  } catch (const std::exception& e) {
    return storage_failed(e, "listing class tokens");
  }
}

core::Result<ClassToken> AccessServiceImpl::get(std::string_view id) {
  if (!core::is_well_formed_id(id)) return not_found();
  try {
    std::optional<ClassToken> token = store_->find(id);
    if (!token) return not_found();
    return std::move(*token);
  } catch (const std::exception& e) {
    return storage_failed(e, fmt::format("loading class token {}", id));
  }
}

core::Result<void> AccessServiceImpl::revoke(std::string_view id) {
  if (!core::is_well_formed_id(id)) return not_found();
  try {
    if (!store_->remove(id)) return not_found();
    return {};
  } catch (const std::exception& e) {
    return storage_failed(e, fmt::format("revoking class token {}", id));
  }
}

core::Result<Bearer> AccessServiceImpl::authenticate(std::string_view secret) {
  if (secret.empty() || secret.size() > kMaxSecretBytes) return unknown_secret();
  try {
    std::optional<Bearer> bearer = store_->find_by_hash(secret_hash(secret));
    if (!bearer) return unknown_secret();
    const auto& expires_at = bearer->token.expires_at;
    if (expires_at && *expires_at <= clock_.now()) return unknown_secret();
    return std::move(*bearer);
  } catch (const std::exception& e) {
    return storage_failed(e, "authenticating a class token");
  }
}

}  // namespace ide::access
