// AccessService over the internal API: what a process that does not host the access module
// calls instead. Callers cannot tell it from the module itself.
#pragma once

#include <memory>

#include "access/access_service.hpp"
#include "remote/transport.hpp"

namespace ide::remote {

/// Thread-safe. Every method may also answer unavailable. Reads, authenticate and revoke are
/// retried (they are idempotent); create is not, so that a lost answer never makes two tokens.
class RemoteAccessService final : public access::AccessService {
 public:
  explicit RemoteAccessService(std::unique_ptr<Transport> transport)
      : transport_(std::move(transport)) {}

  core::Result<access::IssuedClassToken> create(access::NewClassToken request) override;
  core::Result<std::vector<access::ClassToken>> list() override;
  core::Result<access::ClassToken> get(std::string_view id) override;
  core::Result<void> revoke(std::string_view id) override;
  core::Result<access::Bearer> authenticate(std::string_view secret) override;

 private:
  std::unique_ptr<Transport> transport_;
};

}  // namespace ide::remote
