// ProblemService over the internal API: what a process that does not host the problem module
// calls instead. Callers cannot tell it from the module itself.
#pragma once

#include <memory>

#include "problem/problem_service.hpp"
#include "remote/transport.hpp"

namespace ide::remote {

/// Thread-safe. Every method may also answer unavailable. Reads, replace and remove are retried
/// (they are idempotent); create is not, so that a lost answer never stores a problem twice.
class RemoteProblemService final : public problem::ProblemService {
 public:
  explicit RemoteProblemService(std::unique_ptr<Transport> transport)
      : transport_(std::move(transport)) {}

  core::Result<std::string> create(problem::ProblemContent content) override;
  core::Result<void> replace(std::string_view id, problem::ProblemContent content) override;
  core::Result<problem::Problem> get(std::string_view id) override;
  core::Result<std::vector<problem::ProblemSummary>> list() override;
  core::Result<void> remove(std::string_view id) override;

 private:
  std::unique_ptr<Transport> transport_;
};

}  // namespace ide::remote
