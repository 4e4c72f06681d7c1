// Cgroups of runs: memory (no swap), pids and CPU accounting, on cgroup v2 or v1 (found at start).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace ide::sandbox::detail {

/// Where this process's cgroups are and which controllers it can use.
struct CgroupLayout {
  enum class Version { none, v1, v2 };
  Version version = Version::none;
  std::vector<std::string> controllers;  // v1: memory, pids, cpuacct; v2: memory, pids, cpu
                                         // (or cpu.stat when the cpu controller is not offered)
  bool memsw = false;                    // v1: memory.memsw.* exists (swap is limited too)
  std::string memory_dir;                // v1: this process's memory cgroup; v2: its cgroup
  std::string pids_dir;                  // v1 only
  std::string cpuacct_dir;               // v1 only
  std::string cpu_dir;                   // v1 only, empty when the cpu controller is not mounted
  std::string reason;                    // why none, or what is missing

  /// Reads /proc/self/cgroup and /proc/self/mountinfo. Never throws.
  static CgroupLayout detect();
  /// memory and pids limits plus CPU accounting are all available.
  bool usable() const;
  std::string version_name() const;
};

/// The cgroup directories of one sandbox instance: `ide-<pid>-<n>` under this process's own
/// cgroups, holding one cgroup per run. Created by make_sandbox, removed with it.
class CgroupParent {
 public:
  /// Errors: unavailable (cannot create or enable controllers).
  /// `cpu_weight` (v2 scale, 0: none) is the weight of all runs together against the server,
  /// their sibling.
  static core::Result<CgroupParent> create(const CgroupLayout& layout, unsigned cpu_weight = 0);
  CgroupParent() = default;
  CgroupParent(CgroupParent&& other) noexcept;
  CgroupParent& operator=(CgroupParent&& other) noexcept;
  ~CgroupParent();

  const CgroupLayout& layout() const { return layout_; }
  /// Parent directories (one per v1 controller: memory, pids, cpuacct, then cpu when mounted;
  /// or the single v2 directory).
  const std::vector<std::string>& dirs() const { return dirs_; }
  /// Writes `weight` (v2 scale; 0: nothing) as cpu.weight or cpu.shares of the cgroup whose
  /// directories (in the order of dirs()) are `dirs`. 0 or errno; 0 without a cpu controller.
  int set_cpu_weight(const std::vector<std::string>& dirs, unsigned weight) const;

 private:
  std::optional<std::string> cpu_weight_file(const std::vector<std::string>& dirs,
                                             unsigned weight) const;
  CgroupLayout layout_;
  std::vector<std::string> dirs_;
};

struct CgroupLimits {
  std::int64_t memory_bytes = 0;
  std::int64_t max_pids = 0;
  unsigned cpu_weight = 0;  // cgroup v2 scale (100 is the default); 0: leave as created
};

/// The v1 `cpu.shares` of a v2 `cpu.weight` (both default: 1024 and 100).
std::int64_t cpu_shares_of_weight(unsigned weight);

struct CgroupUsage {
  std::int64_t cpu_us = -1;  // -1 when unknown
  std::int64_t memory_peak_kb = -1;
  std::int64_t oom_kills = 0;
};

/// The cgroup of one run. Removed (after killing what is left) on destruction.
class RunCgroup {
 public:
  /// Errors: unavailable.
  static core::Result<RunCgroup> create(const CgroupParent& parent, const std::string& name,
                                        const CgroupLimits& limits);
  RunCgroup() = default;
  RunCgroup(RunCgroup&& other) noexcept;
  RunCgroup& operator=(RunCgroup&& other) noexcept;
  ~RunCgroup();

  /// Moves `pid` (not yet running user code) into every controller's cgroup.
  core::Result<void> add(pid_t pid);
  /// CPU time used so far in microseconds, or -1. Cheap: one pread.
  std::int64_t cpu_us() const;
  CgroupUsage usage() const;
  /// SIGKILLs every process still in the cgroup.
  void kill_all();
  void remove();

 private:
  /// Opens the CPU time file the run is measured by; 0 or errno (EIO: it has no usage figure).
  int open_cpu_file(const std::string& path);
  void close_fds();
  CgroupLayout::Version version_ = CgroupLayout::Version::none;
  std::vector<std::string> dirs_;  // v1: memory, pids, cpuacct (, cpu); v2: one
  int cpu_fd_ = -1;
};

}  // namespace ide::sandbox::detail
