#include "probe.hpp"

#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "seccomp_filter.hpp"
#include "sys_util.hpp"

namespace ide::sandbox {
namespace detail {
namespace {

int exit_at_once(void*) { _exit(0); }

int load_filter_and_exit(void* arg) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(2);
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, arg) != 0) _exit(3);
  // Denied by the filter: must fail with EPERM, not succeed.
  if (syscall(SYS_unshare, CLONE_NEWUTS) == 0 || errno != EPERM) _exit(4);
  _exit(0);
}

// Starts a child with `flags` (plus SIGCHLD) running `fn`; true when it exited 0.
bool trial_clone(int flags, int (*fn)(void*), void* arg) {
  std::vector<char> stack(64 * 1024);
  sigset_t all;
  sigset_t saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  pid_t pid = clone(fn, stack.data() + stack.size(), flags | SIGCHLD, arg);
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  if (pid < 0) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

HostProbe probe_host() {
  HostProbe probe;
  IsolationReport& r = probe.report;
  std::vector<std::string> problems;
  const bool root = geteuid() == 0;
  if (!root) problems.emplace_back("not running as root (needed for per-slot uids and cgroups)");

  r.user_namespace = trial_clone(CLONE_NEWUSER, exit_at_once, nullptr);
  r.pid_namespace = trial_clone(CLONE_NEWUSER | CLONE_NEWPID, exit_at_once, nullptr);
  r.net_namespace = trial_clone(CLONE_NEWUSER | CLONE_NEWNET, exit_at_once, nullptr);
  r.mount_namespace = trial_clone(CLONE_NEWUSER | CLONE_NEWNS, exit_at_once, nullptr);
  r.ipc_namespace = trial_clone(CLONE_NEWUSER | CLONE_NEWIPC, exit_at_once, nullptr);
  r.uts_namespace = trial_clone(CLONE_NEWUSER | CLONE_NEWUTS, exit_at_once, nullptr);
  r.cgroup_namespace = trial_clone(CLONE_NEWUSER | CLONE_NEWCGROUP, exit_at_once, nullptr);
  std::vector<std::string> missing;
  if (!r.user_namespace) missing.emplace_back("user");
  if (!r.pid_namespace) missing.emplace_back("pid");
  if (!r.net_namespace) missing.emplace_back("net");
  if (!r.mount_namespace) missing.emplace_back("mount");
  if (!r.ipc_namespace) missing.emplace_back("ipc");
  if (!r.uts_namespace) missing.emplace_back("uts");
  if (!r.cgroup_namespace) missing.emplace_back("cgroup");
  if (!missing.empty()) {
    std::string joined;
    for (const auto& m : missing) joined += (joined.empty() ? "" : ", ") + m;
    problems.push_back("cannot create namespaces: " + joined);
  }

  probe.cgroups = CgroupLayout::detect();
  r.cgroup_version = probe.cgroups.version_name();
  r.controllers = probe.cgroups.controllers;
  if (probe.cgroups.memsw) r.controllers.emplace_back("memsw (no swap)");
  if (!probe.cgroups.usable()) problems.push_back(probe.cgroups.reason);

  auto filter = SeccompProgram::build();
  if (!filter) {
    problems.push_back(filter.error().message);
  } else {
    r.seccomp = trial_clone(0, load_filter_and_exit, const_cast<sock_fprog*>(filter->program()));
    if (!r.seccomp) problems.emplace_back("the kernel refused the seccomp filter");
  }

  if (auto cap = read_text("/proc/sys/kernel/cap_last_cap")) {
    probe.last_cap = std::atoi(cap->c_str());
  }
  r.uid_range = root ? fmt::format("{}-{} (one uid per slot)", kUidPoolFirst,
                                   kUidPoolFirst + kUidPoolSize - 1)
                     : fmt::format("{} only (not root)", geteuid());
  r.usable = problems.empty();
  for (const auto& problem : problems) r.reason += (r.reason.empty() ? "" : "; ") + problem;
  return probe;
}

}  // namespace detail

std::string IsolationReport::describe() const {
  auto yes = [](bool b) { return b ? "yes" : "no"; };
  std::string controllers_text;
  for (const auto& c : controllers) controllers_text += (controllers_text.empty() ? "" : ", ") + c;
  std::string text;
  text += fmt::format("user namespace: {}\n", yes(user_namespace));
  text += fmt::format("pid namespace: {}\n", yes(pid_namespace));
  text += fmt::format("net namespace: {}\n", yes(net_namespace));
  text += fmt::format("mount namespace: {}\n", yes(mount_namespace));
  text += fmt::format("ipc namespace: {}\n", yes(ipc_namespace));
  text += fmt::format("uts namespace: {}\n", yes(uts_namespace));
  text += fmt::format("cgroup namespace: {}\n", yes(cgroup_namespace));
  text += fmt::format("cgroup: {}{}\n", cgroup_version.empty() ? "none" : cgroup_version,
                      controllers_text.empty() ? "" : " (" + controllers_text + ")");
  text += fmt::format("seccomp: {}\n", seccomp ? "yes (deny-list filter, native ABI only)" : "no");
  text += fmt::format("uid range: {}\n", uid_range.empty() ? "none" : uid_range);
  text += usable ? std::string("isolation: usable") : "isolation: NOT usable: " + reason;
  return text;
}

IsolationReport probe_isolation() {
  try {
    auto probe = detail::probe_host();
    if (!probe.report.usable) return probe.report;
    // The parts are there; a real run proves they work together (mounts, pivot_root, maps).
    const std::filesystem::path boxes = default_boxes_dir(fmt::format("probe-{}", getpid()), false);
    IsolationReport report = probe.report;
    {
      auto sandbox = make_sandbox(SandboxOptions{.boxes_dir = boxes, .slots = 1});
      if (!sandbox) {
        report.usable = false;
        report.reason = sandbox.error().message;
      }
    }
    rmdir(boxes.c_str());  // empty once its sandbox is gone; in a root-only directory
    return report;
  } catch (const std::exception& e) {
    IsolationReport report;
    report.reason = std::string("probe failed: ") + e.what();
    return report;
  }
}

}  // namespace ide::sandbox
