// Runs one stage: starts the child (isolated or not), feeds and drains it, enforces the limits.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <string>

#include "sandbox/sandbox.hpp"

namespace ide::sandbox::detail {

class SeccompProgram;
class CgroupParent;
class RootfsTemplate;

/// Lets another thread kill a box's running stage (Box::cancel) and refuse later ones.
class RunControl {
 public:
  /// Called by run_stage once the child exists; false when already cancelled (kill it).
  bool begin(int pidfd, pid_t pid, bool process_group);
  void end();
  bool cancelled() const;
  /// Thread-safe: SIGKILLs the running stage, if any, and marks the box cancelled.
  void cancel();

 private:
  mutable std::mutex mutex_;
  int pidfd_ = -1;
  pid_t pid_ = 0;
  bool process_group_ = false;
  bool cancelled_ = false;
};

/// What a run needs from its sandbox and box. Everything here outlives the run.
struct RunContext {
  bool secure = false;
  uid_t host_uid = 0;  // the slot's identity
  gid_t host_gid = 0;
  bool change_identity = false;  // insecure: drop to host_uid (only when started as root)
  int work_dir_fd = -1;
  std::string work_dir_path;
  unsigned long work_dir_flags = 0;  // mount flags a bind of the work dir keeps
  std::int64_t tmp_bytes = 0;
  unsigned cpu_weight = 0;  // of the run's cgroup, v2 scale; 0: the default
  int last_cap = 40;
  const SeccompProgram* seccomp = nullptr;
  const CgroupParent* cgroups = nullptr;
  const RootfsTemplate* rootfs = nullptr;
  std::string cgroup_name;  // of this slot's run cgroup
  int init_fd = -1;         // secure: the ide-sandbox-init executable
  char* child_stack_top = nullptr;
  RunControl* control = nullptr;  // the box's; may be null  // the box's stack for the clone child
                                  // (runs are sequential)
};

/// Blocks until the stage has ended and everything it started is gone (secure mode).
StageOutcome run_stage(const RunContext& context, const StageSpec& spec);

/// SIGKILLs every process of `uid` on the host (a helper process with that uid runs kill(-1)).
void kill_all_of_uid(uid_t uid, gid_t gid);

/// A child's stack: mapped once, never zero-filled (the kernel supplies pages on first touch;
/// a child touches a few KiB). Unmapping per run would cost a TLB shootdown on every CPU
/// running the server, so a box keeps one.
class ChildStack {
 public:
  explicit ChildStack(std::size_t bytes);
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;
  ~ChildStack();
  explicit operator bool() const { return base_ != nullptr; }
  char* top() const { return base_ + bytes_; }

 private:
  std::size_t bytes_;
  char* base_ = nullptr;
};

/// The uid inside each run's user namespace.
inline constexpr uid_t kInnerUid = 1000;
inline constexpr gid_t kInnerGid = 1000;

}  // namespace ide::sandbox::detail
