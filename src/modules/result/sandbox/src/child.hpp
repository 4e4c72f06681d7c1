// The code that runs between clone() and execve(), and the run's pid 1 (ide-sandbox-init).
// Children of the server: only async-signal-safe calls, no allocation; everything they need is
// prepared by the parent before cloning (SPEC section 8).
#pragma once

#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace ide::sandbox::detail {

/// One step of building the run's root file system, relative to the new root. The first four
/// kinds fill the root tmpfs and are done by the server (RootfsTemplate::make_run_mounts); the
/// mounts are done by the run's pid 1 in the new root's directory, before pivot_root.
struct MountOp {
  enum class Kind {
    mkdir,       // target (mode in `mode`)
    touch,       // create an empty file at target (a bind-mount point for a file)
    symlink,     // target -> source
    write_file,  // target gets `data` (`size` bytes)
    bind,        // source bound at target, then remounted with `flags` (MS_* bits)
    proc,        // a fresh procfs at target (the child is inside its pid namespace)
    remount,     // change the per-mount flags of target to `flags`
    attach,      // the server's detached mount `fd` (see RunMounts) moved to target
  };
  Kind kind = Kind::mkdir;
  const char* source = nullptr;
  const char* target = nullptr;
  const char* data = nullptr;
  std::size_t size = 0;
  unsigned long flags = 0;
  unsigned mode = 0755;
  int fd = -1;            // attach
  bool remount = false;   // bind: remount with `flags` (read-only binds)
  bool optional = false;  // a failure is not fatal (e.g. a device the host lacks)
};

/// Written by the child into the error pipe when it fails before execve.
struct ChildError {
  std::int32_t err = 0;  // errno
  char what[192] = {};   // which step, NUL-terminated
};

/// Written by the run's pid 1 into the status pipe when the program has ended.
struct InitReport {
  std::int32_t wait_status = 0;  // of the program (pid 2), as from waitpid
  std::int64_t children_cpu_us = 0;
  std::int64_t children_maxrss_kb = 0;
};

struct RlimitSetting {
  int resource = 0;
  rlimit value{};
};

/// All a child needs. In insecure mode the child shares the parent's memory (the parent is
/// suspended until execve); in secure mode the plan travels to ide-sandbox-init encoded
/// (plan_codec.hpp) and the pointers point into its decoded copy.
struct ChildPlan {
  bool secure = false;

  // File descriptors, all opened by the parent; the child moves them to 0-2.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  int error_fd = -1;   // CLOEXEC write end: a ChildError when setup fails, EOF at execve
  int go_fd = -1;      // secure: read end; the parent writes one byte once uid maps and cgroups
                       // are in place
  int status_fd = -1;  // secure: write end for the InitReport
  int work_dir_fd = -1;
  // Secure: the detached mounts the MountOps attach, kept open by pid 1 until the root is built.
  static constexpr int kMaxMountFds = 4;
  int mount_fds[kMaxMountFds] = {-1, -1, -1, -1};
  // Secure: the work dir's path. pid 1 reopens it onto work_dir_fd's number, because a mount
  // can only be bound from the child's own mount namespace (the inherited fd is the host's).
  const char* work_dir_path = nullptr;

  const char* exec_path = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;

  RlimitSetting rlimits[10];
  int rlimit_count = 0;

  // The identity the program runs as; insecure mode drops to it only when started as root.
  bool change_identity = false;
  uid_t uid = 0;
  gid_t gid = 0;
  int last_cap = 40;

  const sock_fprog* seccomp = nullptr;  // secure only

  // Secure: the root file system: the server's filled tmpfs `root_fd` (a detached mount),
  // attached at `root_dir`, the mounts done in it, then pivoted into.
  const MountOp* mounts = nullptr;
  std::size_t mount_count = 0;
  const char* root_dir = "/tmp";
  int root_fd = -1;
  const char* hostname = "box";

  // Stack for the program process that the run's pid 1 starts with CLONE_VM|CLONE_VFORK.
  char* program_stack_top = nullptr;
};

/// How the server starts the run's pid 1: a clone with the namespaces (CLONE_VM|CLONE_VFORK,
/// so nothing of the server is copied) that execs the init binary at once.
struct InitLaunch {
  int init_fd = -1;       // the ide-sandbox-init executable (a sealed memfd)
  int pass_fds[12] = {};  // inherited by init (their CLOEXEC is cleared in the child)
  int pass_count = 0;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  int error_fd = -1;
  int last_cap = 40;
};

/// Entry point of the clone that becomes pid 1. `arg` is an InitLaunch*.
int launch_init_main(void* arg);

/// The body of ide-sandbox-init once it has decoded its plan. Never returns.
[[noreturn]] void run_init(const ChildPlan& plan);

struct KillUid {
  uid_t uid = 0;
  gid_t gid = 0;
};

/// Entry point of a helper that takes `KillUid::uid` and SIGKILLs every process of that uid.
int kill_uid_main(void* arg);

/// Entry point of the program process in insecure mode. `arg` is a ChildPlan*.
int insecure_child_main(void* arg);

}  // namespace ide::sandbox::detail
