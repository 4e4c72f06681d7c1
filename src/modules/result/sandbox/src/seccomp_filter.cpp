#include "seccomp_filter.hpp"

#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "sys_util.hpp"

namespace ide::sandbox::detail {
namespace {

struct ContextDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

// What no submitted program needs, and what would let it attack the kernel or escape:
// debugging other processes, (un)mounting, new namespaces, keyrings, eBPF, perf, io_uring,
// kernel modules, rebooting, swap, clock setting, handle-based opens.
constexpr const char* kDenied[] = {
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "unshare",
    "setns",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "init_module",
    "finit_module",
    "delete_module",
    "swapon",
    "swapoff",
    "acct",
    "quotactl",
    "quotactl_fd",
    "syslog",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "userfaultfd",
    "open_by_handle_at",
    "name_to_handle_at",
    "lookup_dcookie",
    "vhangup",
    "iopl",
    "ioperm",
    "fanotify_init",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "sethostname",
    "setdomainname",
    "uselib",
    "nfsservctl",
    // The 16-bit segment interface (old kernel bugs, and nothing a program needs) and memory
    // the kernel hides from itself: neither has a use in a submitted program.
    "modify_ldt",
    "memfd_secret",
};

// personality(2) takes an unsigned int: only PER_LINUX (0) and the query 0xffffffff are
// allowed, never READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE and the like.
constexpr int kPersonalityBits = 32;

constexpr unsigned long kNamespaceFlags[] = {CLONE_NEWUSER,   CLONE_NEWNS,  CLONE_NEWPID,
                                             CLONE_NEWNET,    CLONE_NEWIPC, CLONE_NEWUTS,
                                             CLONE_NEWCGROUP, CLONE_NEWTIME};

}  // namespace

core::Result<SeccompProgram> SeccompProgram::build() {
  auto failed = [](std::string what, int rc) {
    return core::fail(core::ErrorCode::unavailable, errno_message("seccomp: " + what, -rc));
  };
  Context ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return core::fail(core::ErrorCode::unavailable, "seccomp_init failed");
  // Only the native ABI (x86-64): i386 and x32 system calls kill the process.
  int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc != 0) return failed("bad-arch action", rc);
  const std::uint32_t deny = SCMP_ACT_ERRNO(EPERM);
  for (const char* name : kDenied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture or unknown to libseccomp
    rc = seccomp_rule_add(ctx.get(), deny, nr, 0);
    if (rc != 0) return failed(std::string("rule ") + name, rc);
  }
  // clone3 hides its flags in memory a filter cannot read: ENOSYS makes libc fall back to clone.
  rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (rc != 0) return failed("rule clone3", rc);
  for (unsigned long flag : kNamespaceFlags) {
    rc = seccomp_rule_add(ctx.get(), deny, SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
    if (rc != 0) return failed("rule clone", rc);
  }
  // A rule compares an argument once, so "neither all zeros nor all ones" is written as: some
  // bit is set and the next one (cyclically) is clear, one rule per bit. Compared on the low
  // 32 bits, all the kernel reads (the upper half of the register could hide a value).
  for (int bit = 0; bit < kPersonalityBits; ++bit) {
    const scmp_datum_t set = scmp_datum_t{1} << bit;
    const scmp_datum_t clear = scmp_datum_t{1} << ((bit + 1) % kPersonalityBits);
    rc = seccomp_rule_add(ctx.get(), deny, SCMP_SYS(personality), 1,
                          SCMP_A0_32(SCMP_CMP_MASKED_EQ, set | clear, set));
    if (rc != 0) return failed("rule personality", rc);
  }
  // Sockets: unix, inet, inet6 and netlink only; never raw or packet sockets.
  constexpr int kAllowedFamilies[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
  for (int family = 0; family < AF_MAX; ++family) {
    bool allowed = false;
    for (int ok : kAllowedFamilies) allowed = allowed || ok == family;
    if (allowed) continue;
    rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                          SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family)));
    if (rc != 0) return failed("rule socket family", rc);
  }
  rc = seccomp_rule_add(ctx.get(), deny, SCMP_SYS(socket), 1,
                        SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_RAW));
  if (rc != 0) return failed("rule raw socket", rc);
  rc = seccomp_rule_add(ctx.get(), deny, SCMP_SYS(socket), 1,
                        SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_PACKET));
  if (rc != 0) return failed("rule packet socket", rc);

  int fd = memfd_create("ide-seccomp", MFD_CLOEXEC);
  if (fd < 0) return core::fail(core::ErrorCode::unavailable, errno_message("memfd", errno));
  rc = seccomp_export_bpf(ctx.get(), fd);
  off_t size = lseek(fd, 0, SEEK_END);
  SeccompProgram program;
  if (rc == 0 && size > 0 && size % static_cast<off_t>(sizeof(sock_filter)) == 0) {
    program.filter_.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
    if (pread(fd, program.filter_.data(), static_cast<std::size_t>(size), 0) != size) rc = -EIO;
  } else if (rc == 0) {
    rc = -EIO;
  }
  close(fd);
  if (rc != 0) return failed("export", rc);
  program.point();
  return program;
}

}  // namespace ide::sandbox::detail
