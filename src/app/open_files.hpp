// The open-file budget of `ide serve`: what max_connections and the workers need, checked
// against RLIMIT_NOFILE at start (raised up to the hard limit when that is enough).
#pragma once

#include <cstdint>
#include <string>

#include "core/config.hpp"

namespace ide::app {

/// Descriptors `config` may use at once: every connection, the refused ones still being
/// answered, each worker's run (pipes, memfds, pidfd, cgroup and box files), every SQLite
/// connection (database, WAL and shared-memory file of each database) and a fixed base.
std::uint64_t open_files_needed(const core::Config& config);

/// Makes the soft RLIMIT_NOFILE cover open_files_needed(config), raising it up to the hard
/// limit if it must. Returns "" when it does, else why not, naming the numbers and the fixes.
/// `raised_from` is set to the old soft limit when it was raised (else left alone).
std::string ensure_open_files(const core::Config& config, std::uint64_t& raised_from);

}  // namespace ide::app
