#include "url_service_impl.hpp"

#include <exception>
#include <utility>

#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/sqlite.hpp"
#include "slug.hpp"

namespace ide::url {

namespace {

core::Unexpected no_submission() {
  return core::fail(core::ErrorCode::not_found, "No submission has this id.");
}

}  // namespace

UrlServiceImpl::UrlServiceImpl(std::unique_ptr<UrlStore> store, std::string secret,
                               submission::SubmissionService& submissions)
    : store_(std::move(store)), secret_(std::move(secret)), submissions_(submissions) {}

core::Result<ShareLink> UrlServiceImpl::generate_url(std::string_view submission_id) {
  if (!core::is_well_formed_id(submission_id)) return no_submission();
  try {
    // Sharing again is the common case and needs neither the hash nor the other module.
    if (auto slug = store_->slug_of(submission_id)) return ShareLink{std::move(*slug), false};
  } catch (const std::exception& e) {
    core::log::error("looking up the slug of {} failed: {}", submission_id, e.what());
    return core::Unexpected(core::store_error(e, "url"));
  }

  const core::Result<bool> exists = submissions_.exists(submission_id);
  if (!exists) return core::Unexpected(exists.error());
  if (!*exists) return no_submission();

  try {
    return store_->get_or_insert(submission_id, slug_candidates(secret_, submission_id));
  } catch (const std::exception& e) {
    core::log::error("creating the slug of {} failed: {}", submission_id, e.what());
    return core::Unexpected(core::store_error(e, "url"));
  }
}

core::Result<std::string> UrlServiceImpl::resolve(std::string_view slug) {
  if (!is_well_formed_slug(slug)) {
    return core::fail(core::ErrorCode::not_found, "No share link has this slug.");
  }
  try {
    if (auto id = store_->submission_of(slug)) return std::move(*id);
  } catch (const std::exception& e) {
    core::log::error("resolving slug {} failed: {}", slug, e.what());
    return core::Unexpected(core::store_error(e, "url"));
  }
  return core::fail(core::ErrorCode::not_found, "No share link has this slug.");
}

core::Result<std::vector<std::string>> UrlServiceImpl::shared_among(
    const std::vector<std::string>& submission_ids) {
  try {
    return store_->shared_among(submission_ids);
  } catch (const std::exception& e) {
    core::log::error("looking up shared submissions failed: {}", e.what());
    return core::Unexpected(core::store_error(e, "url"));
  }
}

core::Result<std::size_t> UrlServiceImpl::purge_submissions(
    const std::vector<std::string>& submission_ids) {
  try {
    return store_->remove_submissions(submission_ids);
  } catch (const std::exception& e) {
    core::log::error("removing share links failed: {}", e.what());
    return core::Unexpected(core::store_error(e, "url"));
  }
}

}  // namespace ide::url
