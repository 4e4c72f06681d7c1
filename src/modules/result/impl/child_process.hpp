// Runs a short trusted command (a language's version probe) as a plain child process with a
// timeout: argv only, never a shell, output captured through a pipe.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace ide::result {

struct ChildOutcome {
  bool exited = false;  // false: killed by a signal or by the timeout
  int exit_code = 0;
  bool timed_out = false;
  std::string output;  // stdout and stderr interleaved, up to the cap
};

/// Starts `argv` (argv[0] an absolute path) with exactly `env`, stdin from /dev/null, in its own
/// process group, and waits for it up to `timeout` (then kills the group). Thread-safe.
/// Errors: unavailable when the program cannot be started (e.g. it does not exist).
core::Result<ChildOutcome> run_child(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env,
                                     std::chrono::milliseconds timeout,
                                     std::size_t max_output = 64 * 1024);

}  // namespace ide::result
