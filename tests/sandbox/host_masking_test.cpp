// Less of the host is visible from a run (issue 9, item 5): the kernel's command line, config,
// keys and symbols in /proc are masked as container runtimes mask them, no mount option shows
// the host's RAM or the slot's host uid, and the system calls a submitted program never needs
// (modify_ldt, non-default personality, memfd_secret) are denied. Real programs, real sandbox.
#include <sys/sysinfo.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "sandbox_harness.hpp"

using namespace ide::sandbox;
using namespace ide::sandbox::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The host's RAM in KiB (what devtmpfs' and tmpfs' default sizes are derived from).
std::int64_t host_ram_kb() {
  struct sysinfo info {};
  REQUIRE(sysinfo(&info) == 0);
  return static_cast<std::int64_t>(info.totalram) * info.mem_unit / 1024;
}

}  // namespace

TEST_CASE("the kernel's command line, config, keys and symbols read empty or fail",
          "[sandbox][masking]") {
  IDE_REQUIRE_ISOLATION();
  // On the host they have content: the masks below hide something.
  std::ifstream host_cmdline("/proc/cmdline");
  std::string line;
  REQUIRE(std::getline(host_cmdline, line));
  REQUIRE_FALSE(line.empty());
  Harness harness;
  auto box = harness.box();
  // "leak ..." for every masked file that reads non-empty, masked directory that lists
  // something, or /proc/sys file that can be written; the run's own /proc files still work.
  auto outcome = box->run(
      bash("for f in cmdline config.gz keys key-users kallsyms kcore timer_list sched_debug "
           "sysrq-trigger interrupts iomem ioports modules vmallocinfo; do "
           "  p=/proc/$f; [ -e $p ] || continue; n=$(cat $p 2>/dev/null | wc -c); "
           "  [ \"$n\" = 0 ] || echo \"leak $f $n\"; "
           "done; "
           "for d in acpi scsi driver; do "
           "  [ -d /proc/$d ] && [ -n \"$(ls -A /proc/$d)\" ] && echo \"leak $d/\"; "
           "done; "
           "(echo 4 > /proc/sys/kernel/printk) 2>/dev/null && echo 'leak writable /proc/sys'; "
           "[ \"$(tr '\\0' ' ' < /proc/self/cmdline | wc -c)\" -gt 0 ] && echo self-cmdline; "
           "head -c 6 /proc/meminfo; echo"));
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data == "self-cmdline\nMemTot\n");
  require_host_fine(harness, box);
}

TEST_CASE("no mount option shows the host's RAM, its devtmpfs or the slot's host uid",
          "[sandbox][masking]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome = box->run(bash("cat /proc/self/mountinfo"));
  INFO(describe(outcome));
  REQUIRE(outcome.termination == Termination::exited);
  const std::string& mountinfo = outcome.stdout_data;
  CHECK_FALSE(contains(mountinfo, "devtmpfs"));
  // The figures that would give the host's RAM away: its devtmpfs' options, and the size and
  // inode count a tmpfs without options of ours gets (half the RAM, half its pages).
  const std::int64_t pages = host_ram_kb() / 4;
  std::vector<std::string> revealing = {"size=" + std::to_string(pages / 2 * 4) + "k,",
                                        "nr_inodes=" + std::to_string(pages / 2) + ","};
  {
    std::ifstream host("/proc/self/mountinfo");
    const std::regex figure(R"(\b(size|nr_inodes)=\d+k?)");
    for (std::string line; std::getline(host, line);) {
      if (!contains(line, " - devtmpfs ")) continue;
      for (std::sregex_iterator it(line.begin(), line.end(), figure), end; it != end; ++it) {
        revealing.push_back(it->str() + ",");
      }
    }
  }
  const std::string host_uid = "uid=" + std::to_string(box->host_uid()) + ",";
  std::istringstream lines(mountinfo);
  int mounts = 0;
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    ++mounts;
    for (const std::string& figure : revealing) CHECK_FALSE(contains(line + ",", figure));
    // The work dir's tmpfs is the box's own business (mounted by the server for the slot).
    if (!contains(line, " /box ")) CHECK_FALSE(contains(line + ",", host_uid));
  }
  CHECK(mounts >= 10);
  require_host_fine(harness, box);
}

TEST_CASE("modify_ldt, non-default personality values and memfd_secret are denied",
          "[sandbox][masking]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  // One line per call: its name and the errno it failed with, or "ok" (each must be EPERM;
  // the two personality queries must keep working). The upper half of personality's register
  // must not let READ_IMPLIES_EXEC through either.
  compile_c(*box, R"C(
#define _GNU_SOURCE /* strerrorname_np */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif
static void report(const char* name, long rc) {
  printf("%s %s\n", name, rc >= 0 ? "ok" : strerrorname_np(errno));
}
int main(void) {
  char ldt[16];
  report("modify_ldt", syscall(SYS_modify_ldt, 0, ldt, sizeof ldt));
  report("personality(READ_IMPLIES_EXEC)", syscall(SYS_personality, READ_IMPLIES_EXEC));
  report("personality(ADDR_NO_RANDOMIZE)", syscall(SYS_personality, ADDR_NO_RANDOMIZE));
  report("personality(PER_LINUX32)", syscall(SYS_personality, PER_LINUX32));
  report("personality(high|READ_IMPLIES_EXEC)",
         syscall(SYS_personality, 0x100000000L | READ_IMPLIES_EXEC));
  report("personality(0xffffffff)", syscall(SYS_personality, 0xffffffffL));
  report("personality(PER_LINUX)", syscall(SYS_personality, PER_LINUX));
  report("memfd_secret", syscall(SYS_memfd_secret, 0));
  printf("persona %lx\n", (long)personality(0xffffffff));
  return 0;
})C");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data ==
        "modify_ldt EPERM\n"
        "personality(READ_IMPLIES_EXEC) EPERM\n"
        "personality(ADDR_NO_RANDOMIZE) EPERM\n"
        "personality(PER_LINUX32) EPERM\n"
        "personality(high|READ_IMPLIES_EXEC) EPERM\n"
        "personality(0xffffffff) ok\n"
        "personality(PER_LINUX) ok\n"
        "memfd_secret EPERM\n"
        "persona 0\n");
  require_host_fine(harness, box);
}
