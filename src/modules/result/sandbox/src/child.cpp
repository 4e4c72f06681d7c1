#include "child.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

// Every function here runs in a child of a possibly multi-threaded process, before execve. Only
// raw system calls and async-signal-safe libc wrappers: no malloc, no locks, no stdio, and no
// glibc set*id wrappers (they broadcast to threads that do not exist in the child).
namespace ide::sandbox::detail {
namespace {

std::size_t bounded_length(const char* text, std::size_t max) {
  std::size_t n = 0;
  while (n < max && text != nullptr && text[n] != '\0') ++n;
  return n;
}

void append(char* buffer, std::size_t capacity, std::size_t& used, const char* text) {
  std::size_t n = bounded_length(text, capacity);
  for (std::size_t i = 0; i < n && used + 1 < capacity; ++i) buffer[used++] = text[i];
  buffer[used] = '\0';
}

[[noreturn]] void fail(const ChildPlan& plan, const char* step, const char* detail, int err) {
  ChildError report;
  report.err = err;
  std::size_t used = 0;
  append(report.what, sizeof report.what, used, step);
  if (detail != nullptr) {
    append(report.what, sizeof report.what, used, " ");
    append(report.what, sizeof report.what, used, detail);
  }
  if (plan.error_fd >= 0) {
    ssize_t ignored = write(plan.error_fd, &report, sizeof report);
    (void)ignored;
  }
  _exit(127);
}

void reset_signals() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < 65; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &dfl, nullptr);  // fails harmlessly for the signals glibc reserves
  }
}

void unblock_signals() {
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
}

bool set_identity(uid_t uid, gid_t gid) {
  if (syscall(SYS_setgroups, 0, nullptr) != 0) return false;
  if (syscall(SYS_setresgid, gid, gid, gid) != 0) return false;
  return syscall(SYS_setresuid, uid, uid, uid) == 0;
}

bool drop_capabilities(int last_cap) {
  for (int cap = 0; cap <= last_cap; ++cap) {
    // EINVAL for caps the kernel lacks; EPERM when the set is already empty (insecure, not root).
    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  return syscall(SYS_capset, &header, data) == 0;
}

// Moves the prepared descriptors to 0-2 and closes everything else but the error pipe.
void install_stdio(const ChildPlan& plan) {
  if (dup2(plan.stdin_fd, 0) < 0) fail(plan, "dup2 stdin", nullptr, errno);
  if (dup2(plan.stdout_fd, 1) < 0) fail(plan, "dup2 stdout", nullptr, errno);
  if (dup2(plan.stderr_fd, 2) < 0) fail(plan, "dup2 stderr", nullptr, errno);
  unsigned keep = static_cast<unsigned>(plan.error_fd);
  if (keep > 3) syscall(SYS_close_range, 3u, keep - 1, 0u);
  syscall(SYS_close_range, keep + 1, ~0u, 0u);
}

[[noreturn]] void exec_program(const ChildPlan& plan) {
  if (plan.secure) {
    // The program gets its own session so that job-control signals stay inside it.
    setsid();
  }
  install_stdio(plan);
  for (int i = 0; i < plan.rlimit_count; ++i) {
    if (setrlimit(static_cast<__rlimit_resource>(plan.rlimits[i].resource),
                  &plan.rlimits[i].value) != 0) {
      fail(plan, "setrlimit", nullptr, errno);
    }
  }
  if (plan.change_identity && !plan.secure && !set_identity(plan.uid, plan.gid)) {
    fail(plan, "set identity", nullptr, errno);
  }
  if ((plan.secure || plan.change_identity) && !drop_capabilities(plan.last_cap)) {
    fail(plan, "drop capabilities", nullptr, errno);
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(plan, "no_new_privs", nullptr, errno);
  unblock_signals();
  if (plan.seccomp != nullptr &&
      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, plan.seccomp) != 0) {
    fail(plan, "seccomp", nullptr, errno);
  }
  execve(plan.exec_path, plan.argv, plan.envp);
  fail(plan, "execve", plan.exec_path, errno);
}

int program_main(void* arg) { exec_program(*static_cast<const ChildPlan*>(arg)); }

void run_mount_op(const ChildPlan& plan, const MountOp& op) {
  int rc = 0;
  const char* step = "mount";
  switch (op.kind) {
    case MountOp::Kind::bind:
      step = "bind";
      rc = mount(op.source, op.target, nullptr, MS_BIND | MS_REC, nullptr);
      if (rc == 0 && op.remount) {
        step = "remount";
        rc = mount(nullptr, op.target, nullptr, MS_BIND | MS_REMOUNT | op.flags, nullptr);
      }
      break;
    case MountOp::Kind::remount:
      step = "remount";
      rc = mount(nullptr, op.target, nullptr, MS_BIND | MS_REMOUNT | op.flags, nullptr);
      break;
    case MountOp::Kind::attach:
      step = "attach";
      rc = static_cast<int>(
          syscall(SYS_move_mount, op.fd, "", AT_FDCWD, op.target, MOVE_MOUNT_F_EMPTY_PATH));
      break;
    case MountOp::Kind::proc:
      step = "proc";
      rc = mount("proc", op.target, "proc", op.flags, nullptr);
      break;
    default:  // filling the root is the server's (RootfsTemplate::make_run_mounts)
      step = "not a mount operation:";
      rc = -1;
      errno = EINVAL;
      break;
  }
  if (rc != 0 && !op.optional) fail(plan, step, op.target, errno);
}

/// 0 or -1 with errno. The server fills the root through files open for writing, and another
/// worker's child cloned meanwhile holds copies of them until its exec closes them: the kernel
/// releases a vfork parent before that, and a run's low CPU weight can keep that child waiting.
/// Such writers make the remount fail with EBUSY for a moment, so it is tried again for up to
/// about two seconds.
int remount_root_read_only() {
  constexpr unsigned long kFlags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV;
  for (long pause_us = 100;; pause_us *= 2) {
    if (mount(nullptr, "/", nullptr, kFlags, nullptr) == 0) return 0;
    if (errno != EBUSY || pause_us > 1'000'000) return -1;
    const timespec pause{0, pause_us * 1000};
    nanosleep(&pause, nullptr);
  }
}

void build_root(const ChildPlan& plan) {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    fail(plan, "make mounts private", nullptr, errno);
  }
  if (syscall(SYS_move_mount, plan.root_fd, "", AT_FDCWD, plan.root_dir, MOVE_MOUNT_F_EMPTY_PATH) !=
      0) {
    fail(plan, "attach the root at", plan.root_dir, errno);
  }
  close(plan.root_fd);
  if (chdir(plan.root_dir) != 0) fail(plan, "chdir", plan.root_dir, errno);
  for (std::size_t i = 0; i < plan.mount_count; ++i) run_mount_op(plan, plan.mounts[i]);
  for (int fd : plan.mount_fds) {
    if (fd >= 0) close(fd);
  }
  // Stacks the new root over the old one, then detaches the old: nothing of the host remains.
  if (syscall(SYS_pivot_root, ".", ".") != 0) fail(plan, "pivot_root", nullptr, errno);
  if (umount2(".", MNT_DETACH) != 0) fail(plan, "detach old root", nullptr, errno);
  if (chdir("/") != 0) fail(plan, "chdir /", nullptr, errno);
  if (remount_root_read_only() != 0) fail(plan, "read-only root", nullptr, errno);
  if (chdir("/box") != 0) fail(plan, "chdir /box", nullptr, errno);
}

// pid 1 keeps only the descriptors of its plan: whatever else the server had open is closed.
void close_other_fds(const ChildPlan& plan) {
  int keep[] = {plan.stdin_fd,     plan.stdout_fd,    plan.stderr_fd,   plan.error_fd,
                plan.go_fd,        plan.status_fd,    plan.root_fd,     plan.mount_fds[0],
                plan.mount_fds[1], plan.mount_fds[2], plan.mount_fds[3]};
  constexpr int kCount = sizeof keep / sizeof keep[0];
  for (int i = 1; i < kCount; ++i) {
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  }
  unsigned next = 0;
  for (int fd : keep) {
    if (fd < 0) continue;
    if (static_cast<unsigned>(fd) > next) syscall(SYS_close_range, next, fd - 1u, 0u);
    next = static_cast<unsigned>(fd) + 1;
  }
  syscall(SYS_close_range, next, ~0u, 0u);
}

}  // namespace

void run_init(const ChildPlan& plan) {
  reset_signals();
  close_other_fds(plan);
  // Inherited without CLOEXEC (to survive the exec into this program); the program's execve
  // must close it again, which is how the parent knows it started.
  fcntl(plan.error_fd, F_SETFD, FD_CLOEXEC);
  prctl(PR_SET_NAME, "ide-init", 0, 0, 0);
  // If the server dies, the run's pid 1 dies, and the kernel kills the whole pid namespace.
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Nothing of the run may inspect pid 1 through /proc or ptrace.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  char go = 0;
  ssize_t got;
  do {
    got = read(plan.go_fd, &go, 1);
  } while (got < 0 && errno == EINTR);
  if (got != 1) _exit(126);  // the parent gave up (or died) before the run was set up
  close(plan.go_fd);

  // While still the (unmapped) host root: the path may lead through root-only directories.
  int work_dir = open(plan.work_dir_path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (work_dir < 0) fail(plan, "open work dir", plan.work_dir_path, errno);
  if (work_dir != plan.work_dir_fd) {
    if (dup2(work_dir, plan.work_dir_fd) < 0) fail(plan, "dup2 work dir", nullptr, errno);
    close(work_dir);
  }
  // Now in the run's cgroup: root the cgroup namespace there.
  if (unshare(CLONE_NEWCGROUP) != 0) fail(plan, "unshare cgroup namespace", nullptr, errno);
  // The uid map holds a single unprivileged uid; switching to it keeps this process's
  // capabilities in its own user namespace (uid 0 is not mapped) so it can build the root.
  if (!set_identity(plan.uid, plan.gid)) fail(plan, "set identity", nullptr, errno);
  build_root(plan);
  if (sethostname(plan.hostname, bounded_length(plan.hostname, 64)) != 0) {
    fail(plan, "sethostname", nullptr, errno);
  }

  int program = clone(program_main, plan.program_stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD,
                      const_cast<ChildPlan*>(&plan));
  if (program < 0) fail(plan, "clone program", nullptr, errno);
  // pid 1 keeps none of the program's pipes, so their EOF means the run is over.
  close(plan.stdin_fd);
  close(plan.stdout_fd);
  close(plan.stderr_fd);
  close(plan.work_dir_fd);
  close(plan.error_fd);
  unblock_signals();

  InitReport report;
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid == program) {
      report.wait_status = status;
      break;
    }
    if (pid < 0 && errno != EINTR) {
      report.wait_status = 0x7f00;  // cannot happen: the program is our child
      break;
    }
  }
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  report.children_cpu_us = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000LL +
                           usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
  report.children_maxrss_kb = usage.ru_maxrss;
  ssize_t ignored = write(plan.status_fd, &report, sizeof report);
  (void)ignored;
  // Leaving kills every other process of the run: pid 1 of a pid namespace takes them along.
  _exit(0);
}

int launch_init_main(void* arg) {
  const InitLaunch& launch = *static_cast<const InitLaunch*>(arg);
  for (int i = 0; i < launch.pass_count; ++i) fcntl(launch.pass_fds[i], F_SETFD, 0);
  // This process holds every capability in its new user namespace, but it is not that
  // namespace's root (uid 0 is not mapped), so execve would drop them: keep them as ambient
  // capabilities. pid 1 needs them to build the root; the program drops them all.
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  ChildPlan report_plan;
  report_plan.error_fd = launch.error_fd;
  if (syscall(SYS_capget, &header, data) != 0) fail(report_plan, "capget", nullptr, errno);
  data[0].inheritable = data[0].permitted;
  data[1].inheritable = data[1].permitted;
  if (syscall(SYS_capset, &header, data) != 0) fail(report_plan, "capset", nullptr, errno);
  for (int cap = 0; cap <= launch.last_cap; ++cap) {
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
  }
  syscall(SYS_execveat, launch.init_fd, "", launch.argv, launch.envp, AT_EMPTY_PATH);
  fail(report_plan, "execve", "ide-sandbox-init", errno);
}

int kill_uid_main(void* arg) {
  const KillUid& ids = *static_cast<const KillUid*>(arg);
  if (!set_identity(ids.uid, ids.gid)) _exit(1);
  // Every process this uid may signal, i.e. all of the slot's processes, except this one.
  kill(-1, SIGKILL);
  _exit(0);
}

int insecure_child_main(void* arg) {
  const ChildPlan& plan = *static_cast<const ChildPlan*>(arg);
  reset_signals();
  // Its own process group, so that the limits can kill everything it started (unless it
  // escapes with setsid: insecure mode does not contain that).
  setpgid(0, 0);
  if (fchdir(plan.work_dir_fd) != 0) fail(plan, "chdir work dir", nullptr, errno);
  exec_program(plan);
}

}  // namespace ide::sandbox::detail
