// What the host offers, without running a trial (make_sandbox and probe_isolation build on it).
#pragma once

#include "cgroup.hpp"
#include "sandbox/sandbox.hpp"

namespace ide::sandbox::detail {

/// The unprivileged host uids runs use: one per slot, taken from this pool with a lock file.
inline constexpr unsigned kUidPoolFirst = 60000;
inline constexpr unsigned kUidPoolSize = 1000;

struct HostProbe {
  IsolationReport report;  // usable = the parts are there (no trial run yet)
  CgroupLayout cgroups;
  int last_cap = 40;
};

HostProbe probe_host();

}  // namespace ide::sandbox::detail
