// The in-process AccessService: validates, makes the secrets, stores only their hashes through an
// AccessStore.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "access/access_service.hpp"
#include "access_store.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"

namespace ide::access {

class AccessServiceImpl final : public AccessService {
 public:
  /// `clock` and `ids` must outlive the service.
  AccessServiceImpl(std::unique_ptr<AccessStore> store, const core::Clock& clock,
                    core::IdGenerator& ids, std::size_t max_class_tokens);

  core::Result<IssuedClassToken> create(NewClassToken request) override;
  core::Result<std::vector<ClassToken>> list() override;
  core::Result<ClassToken> get(std::string_view id) override;
  core::Result<void> revoke(std::string_view id) override;
  core::Result<Bearer> authenticate(std::string_view secret) override;

 private:
  core::Result<void> check(const NewClassToken& request) const;

  std::unique_ptr<AccessStore> store_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;
  const std::size_t max_class_tokens_;
  // Held from counting to inserting, so that this process never keeps more than the maximum.
  std::mutex create_mutex_;
};

}  // namespace ide::access
