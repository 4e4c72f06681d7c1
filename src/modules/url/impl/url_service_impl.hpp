// The in-process UrlService: derives slugs, checks submissions exist, stores through a UrlStore.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "submission/submission_service.hpp"
#include "url/url_service.hpp"
#include "url_store.hpp"

namespace ide::url {

class UrlServiceImpl final : public UrlService {
 public:
  /// `secret` keys the slug hash: the same secret always gives the same slugs. `submissions`
  /// must outlive the service.
  UrlServiceImpl(std::unique_ptr<UrlStore> store, std::string secret,
                 submission::SubmissionService& submissions);

  core::Result<ShareLink> generate_url(std::string_view submission_id) override;
  core::Result<std::string> resolve(std::string_view slug) override;
  core::Result<std::vector<std::string>> shared_among(
      const std::vector<std::string>& submission_ids) override;
  core::Result<std::size_t> purge_submissions(
      const std::vector<std::string>& submission_ids) override;

 private:
  std::unique_ptr<UrlStore> store_;
  std::string secret_;
  submission::SubmissionService& submissions_;
};

}  // namespace ide::url
