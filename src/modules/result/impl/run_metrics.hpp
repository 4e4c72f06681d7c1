// The result module's metrics (GET /metrics): finished runs by language and verdict, their wall
// time and peak memory, and the runs the sandbox failed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/metrics.hpp"
#include "result/result_service.hpp"

namespace ide::result {

/// What is recorded of a finished run; taken before the result is moved into the store.
struct RunOutcome {
  std::string language;  // "unknown" when the submission could not be read
  Verdict verdict = Verdict::internal_error;
  std::int64_t wall_ms = 0;
  std::int64_t memory_kb = 0;
};

/// Records into the families of `registry`. Thread-safe.
class RunMetrics {
 public:
  /// Why a run is counted in ide_sandbox_failures_total.
  enum class SandboxFailure { setup, run };

  explicit RunMetrics(core::metrics::Registry& registry);

  /// Counts one run whose result is stored.
  void record_run(const RunOutcome& outcome);
  /// Counts a box that could not be opened (setup) or a run it ended as internal_error (run).
  void record_sandbox_failure(SandboxFailure failure);

 private:
  core::metrics::Family<core::metrics::Counter>& runs_;
  core::metrics::Family<core::metrics::Histogram>& durations_;
  core::metrics::Family<core::metrics::Histogram>& memory_;
  core::metrics::Family<core::metrics::Counter>& sandbox_failures_;
};

}  // namespace ide::result
