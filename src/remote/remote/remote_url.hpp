// UrlService over the internal API: what a process that does not host the url module calls
// instead. Callers cannot tell it from the module itself.
#pragma once

#include <memory>

#include "remote/transport.hpp"
#include "url/url_service.hpp"

namespace ide::remote {

/// Thread-safe. Every method may also answer unavailable; all are retried (all are idempotent).
class RemoteUrlService final : public url::UrlService {
 public:
  explicit RemoteUrlService(std::unique_ptr<Transport> transport)
      : transport_(std::move(transport)) {}

  core::Result<url::ShareLink> generate_url(std::string_view submission_id) override;
  core::Result<std::string> resolve(std::string_view slug) override;
  core::Result<std::vector<std::string>> shared_among(
      const std::vector<std::string>& submission_ids) override;
  core::Result<std::size_t> purge_submissions(
      const std::vector<std::string>& submission_ids) override;

 private:
  std::unique_ptr<Transport> transport_;
};

}  // namespace ide::remote
