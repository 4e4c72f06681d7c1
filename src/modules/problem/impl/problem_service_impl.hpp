// The in-process ProblemService: validates, stamps ids and times, stores through a ProblemStore.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "problem/problem_service.hpp"
#include "problem_store.hpp"

namespace ide::problem {

/// Bounds the service enforces besides those of the public interface.
struct ProblemBounds {
  std::size_t max_tests = 64;
  std::size_t max_problems = 1000;
};

class ProblemServiceImpl final : public ProblemService {
 public:
  /// `clock` and `ids` must outlive the service.
  ProblemServiceImpl(std::unique_ptr<ProblemStore> store, const core::Clock& clock,
                     core::IdGenerator& ids, ProblemBounds bounds);

  core::Result<std::string> create(ProblemContent content) override;
  core::Result<void> replace(std::string_view id, ProblemContent content) override;
  core::Result<Problem> get(std::string_view id) override;
  core::Result<std::vector<ProblemSummary>> list() override;
  core::Result<void> remove(std::string_view id) override;

 private:
  std::unique_ptr<ProblemStore> store_;
  const core::Clock& clock_;
  core::IdGenerator& ids_;
  const ProblemBounds bounds_;
  // Held from counting to inserting, so that this process never keeps more than max_problems.
  std::mutex create_mutex_;
};

}  // namespace ide::problem
