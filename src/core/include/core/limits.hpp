// Resource limits: what a submission may ask for, and what the server allows (SPEC section 5).
#pragma once

#include <cstdint>
#include <optional>

#include "core/error.hpp"

namespace ide::core {

/// Limits a submission asks for; unset means "the configured default".
struct RequestedLimits {
  std::optional<std::int64_t> cpu_ms;
  std::optional<std::int64_t> wall_ms;
  std::optional<std::int64_t> memory_kb;
};

/// Concrete limits of one stage (compile or run) of one job.
struct StageLimits {
  std::int64_t cpu_ms = 5'000;
  std::int64_t wall_ms = 10'000;
  std::int64_t memory_kb = 256 * 1024;
  std::int64_t max_processes = 64;
  std::int64_t output_bytes = 4 * 1024 * 1024;  // each of stdout and stderr
  std::int64_t file_size_bytes = 16 * 1024 * 1024;
};

/// The server's limit settings (config/ide.toml).
struct LimitSettings {
  StageLimits run;                       // defaults for the run stage
  StageLimits compile{.cpu_ms = 10'000, .wall_ms = 20'000, .memory_kb = 1024 * 1024,
                      .max_processes = 64, .output_bytes = 1024 * 1024,
                      .file_size_bytes = 64 * 1024 * 1024};
  std::int64_t max_cpu_ms = 20'000;       // what a submission may raise cpu_ms to
  std::int64_t max_wall_ms = 30'000;
  std::int64_t max_memory_kb = 1024 * 1024;
  bool truncate_output_only = false;      // true: over-long output is cut but the verdict stands

  /// Whether each limit in `requested` lies within 1 and its maximum.
  /// Errors: invalid_limits, naming the field as the client wrote it.
  Result<void> check(const RequestedLimits& requested) const;

  /// The run-stage limits for a submission that asked for `requested` (already checked).
  StageLimits run_limits(const RequestedLimits& requested) const {
    StageLimits limits = run;
    if (requested.cpu_ms) limits.cpu_ms = *requested.cpu_ms;
    if (requested.wall_ms) limits.wall_ms = *requested.wall_ms;
    if (requested.memory_kb) limits.memory_kb = *requested.memory_kb;
    return limits;
  }
};

}  // namespace ide::core
