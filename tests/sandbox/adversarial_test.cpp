// Adversarial programs against the isolated sandbox (issue 3, item 4). Each case runs a real
// program (bash, python3, or C compiled by gcc inside the sandbox), asserts the safe outcome,
// then checks the host: no process of the box's uid survives, no run cgroup is left, and a new
// box still runs. Cases skip with a WARNING when the machine cannot isolate.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "sandbox_harness.hpp"

using namespace ide::sandbox;
using namespace ide::sandbox::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string read_host_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("fork bomb whose children detach and keep forking", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <unistd.h>
int main(void) {
  for (int i = 0; i < 4; ++i) {
    if (fork() == 0) { setsid(); for (;;) fork(); }
  }
  sleep(1);
  return 0;
})");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  // The parent returns: the run ends and takes every detached child with it.
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.exit_code == 0);
  require_host_fine(harness, box);
}

TEST_CASE("persistent fork bomb is capped by the pids limit and killed at the time limit",
          "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <unistd.h>
int main(void) { for (;;) fork(); })");
  auto spec = program();
  spec.limits.cpu_ms = 1'000;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::time_limit);
  require_host_fine(harness, box);
}

TEST_CASE("bash fork bomb", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto spec = bash("bomb() { bomb | bomb & }; bomb; wait");
  spec.limits.cpu_ms = 1'000;
  spec.limits.wall_ms = 3'000;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK((outcome.termination == Termination::time_limit ||
         outcome.termination == Termination::exited));
  require_host_fine(harness, box);
}

TEST_CASE("memory bomb ends with the memory verdict from the cgroup", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <stdlib.h>
#include <string.h>
int main(void) {
  for (;;) { char* p = malloc(1 << 20); if (p) memset(p, 1, 1 << 20); }
})");
  auto spec = program();
  spec.limits.memory_kb = 64 * 1024;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::memory_limit);
  CHECK(outcome.memory_kb >= 48 * 1024);
  require_host_fine(harness, box);
}

TEST_CASE("an OOM kill in one process takes the whole run on cgroup v2",
          "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  // The child eats memory; the parent would report its death and exit 0. MAP_POPULATE has the
  // kernel touch the pages: fast even where page faults are slow (User-Mode Linux).
  compile_c(*box, R"(
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
  if (fork() == 0) {
    for (;;) mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  }
  int status = 0;
  wait(&status);
  printf("parent survived its child's OOM kill\n");
  return 0;
})");
  auto spec = program();
  spec.limits.memory_kb = 64 * 1024;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::memory_limit);
  CHECK(outcome.memory_kb >= 48 * 1024);
  if (isolation().cgroup_version == "v2") {
    // memory.oom.group: the kernel killed the parent with the child.
    CHECK_FALSE(contains(outcome.stdout_data, "parent survived"));
  } else {
    // v1 has no group kill: the parent lives on, the verdict still comes from the cgroup.
    CHECK(contains(outcome.stdout_data, "parent survived"));
  }
  require_host_fine(harness, box);
}

TEST_CASE("peak memory is the cgroup's: tmpfs pages the run writes count", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  // The program's own resident memory stays tiny (ru_maxrss would say ~1 MiB); the 40 MiB it
  // writes to /dev/shm (in 1 MiB files: the file size limit is 4 MiB) are shared memory charged
  // to the run's cgroup.
  compile_c(*box, R"(
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
static char block[1 << 20];
int main(void) {
  for (int i = 0; i < 40; ++i) {
    char name[32];
    snprintf(name, sizeof name, "/dev/shm/f%d", i);
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, block, sizeof block) != (long)sizeof block) return 1;
    close(fd);
  }
  puts("written");
  return 0;
})");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data == "written\n");
  CHECK(outcome.memory_kb >= 40 * 1024);
  CHECK(outcome.memory_kb < 128 * 1024);
  require_host_fine(harness, box);
}

TEST_CASE("large untouched malloc", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <stdio.h>
#include <stdlib.h>
int main(void) {
  char* p = malloc((size_t)1 << 30);
  puts(p ? "allocated" : "refused");
  return 0;
})");
  // The cgroup limits memory, not the address space (with or without limit_address_space):
  // an untouched reservation costs nothing and is not charged. 1 GiB is 8 times the limit, and
  // small enough for the kernel's overcommit heuristic on a small machine (the v2 guest has 3).
  for (bool limit_address_space : {true, false}) {
    auto spec = program();
    spec.limit_address_space = limit_address_space;
    auto outcome = box->run(spec);
    INFO(describe(outcome));
    CHECK(outcome.termination == Termination::exited);
    CHECK(outcome.stdout_data == "allocated\n");
    CHECK(outcome.memory_kb < spec.limits.memory_kb);
  }
  require_host_fine(harness, box);
}

TEST_CASE("CPU loop is killed at the CPU limit", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, "int main(void) { for (;;) {} }");
  auto spec = program();
  spec.limits.cpu_ms = 1'000;
  spec.limits.wall_ms = 30'000;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::time_limit);
  CHECK(outcome.cpu_ms >= 1'000);
  CHECK(outcome.wall_ms < 30'000);
  require_host_fine(harness, box);
}

TEST_CASE("sleeping past the wall-clock limit", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto spec = bash("sleep 300");
  spec.limits.wall_ms = 1'000;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::time_limit);
  CHECK(outcome.wall_ms >= 1'000);
  CHECK(outcome.cpu_ms < 1'000);
  require_host_fine(harness, box);
}

TEST_CASE("8 busy threads: CPU time counts every thread", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <pthread.h>
static void* spin(void* arg) { (void)arg; for (;;) {} return 0; }
int main(void) {
  pthread_t t;
  for (int i = 0; i < 8; ++i) pthread_create(&t, 0, spin, 0);
  for (;;) {}
})",
            {"-pthread"});
  auto spec = program();
  spec.limits.cpu_ms = 1'000;
  spec.limits.wall_ms = 30'000;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::time_limit);
  CHECK(outcome.cpu_ms >= 1'000);
  CHECK(outcome.wall_ms < 30'000);
  require_host_fine(harness, box);
}

TEST_CASE("thread bomb is capped by the pids limit", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static void* idle(void* arg) { (void)arg; pause(); return 0; }
int main(void) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  int n = 0;
  pthread_t t;
  while (n < 100000 && pthread_create(&t, &attr, idle, 0) == 0) ++n;
  printf("%d\n", n);
  return 0;
})",
            {"-pthread"});
  auto spec = program();
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(std::atoi(outcome.stdout_data.c_str()) < spec.limits.max_processes);
  require_host_fine(harness, box);
}

TEST_CASE("a setsid child does not outlive the run", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome = box->run(bash("setsid sleep 300 >/dev/null 2>&1 < /dev/null & echo started"));
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data == "started\n");
  require_host_fine(harness, box);
}

TEST_CASE("a double-forked daemon does not outlive the run", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <stdio.h>
#include <unistd.h>
int main(void) {
  if (fork() == 0) {
    setsid();
    if (fork() == 0) { close(1); close(2); for (;;) sleep(1); }
    return 0;
  }
  puts("parent done");
  return 0;
})");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data == "parent done\n");
  require_host_fine(harness, box);
}

TEST_CASE("a nohup'd background job does not outlive the run", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome =
      box->run(bash("nohup sleep 300 > /dev/null 2>&1 & disown; (trap '' HUP; sleep 300) & "
                    "echo started"));
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data == "started\n");
  require_host_fine(harness, box);
}

TEST_CASE("stdout flood is cut at the cap", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto spec = bash("yes flood");
  spec.limits.output_bytes = 100'000;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::output_limit);
  CHECK(outcome.stdout_truncated);
  CHECK_FALSE(outcome.stderr_truncated);
  CHECK(outcome.stdout_data.size() == 100'000);
  CHECK(outcome.stdout_data.substr(0, 12) == "flood\nflood\n");
  require_host_fine(harness, box);
}

TEST_CASE("one huge line on stderr is cut at the cap", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto spec = python("import sys\nsys.stderr.write('x' * (16 << 20))");
  spec.limits.output_bytes = 1 << 20;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::output_limit);
  CHECK(outcome.stderr_truncated);
  CHECK(outcome.stderr_data == std::string(1 << 20, 'x'));
  require_host_fine(harness, box);
}

TEST_CASE("filling the work dir stops at its size cap", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  SandboxOptions options;
  options.work_dir_bytes = 8 << 20;
  Harness harness(1, options);
  auto box = harness.box();
  auto spec = bash("dd if=/dev/zero of=/box/fill bs=1M count=64 2>&1; stat -c %s /box/fill");
  spec.limits.file_size_bytes = 256 << 20;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(contains(outcome.stdout_data, "No space left on device"));
  auto last_line = outcome.stdout_data.substr(
      outcome.stdout_data.rfind('\n', outcome.stdout_data.size() - 2) + 1);
  CHECK(std::atoll(last_line.c_str()) <= (8 << 20));
  require_host_fine(harness, box);
}

TEST_CASE("filling /tmp and /dev/shm stops at their size cap", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  SandboxOptions options;
  options.tmp_bytes = 4 << 20;
  Harness harness(1, options);
  auto box = harness.box();
  auto spec = bash(
      "dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>/dev/null; stat -c %s /tmp/fill; "
      "dd if=/dev/zero of=/dev/shm/fill bs=1M count=64 2>/dev/null; stat -c %s /dev/shm/fill");
  spec.limits.file_size_bytes = 256 << 20;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  std::istringstream sizes(outcome.stdout_data);
  long long tmp_size = -1, shm_size = -1;
  sizes >> tmp_size >> shm_size;
  CHECK(tmp_size >= 0);
  CHECK(tmp_size <= (4 << 20));
  CHECK(shm_size >= 0);
  CHECK(shm_size <= (4 << 20));
  require_host_fine(harness, box);
}

TEST_CASE("the file size limit stops one big file", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  StageSpec spec;
  spec.argv = {"/usr/bin/dd", "if=/dev/zero", "of=/box/big", "bs=1M", "count=64"};
  spec.env = default_env();
  spec.limits = tight_limits();
  spec.limits.file_size_bytes = 1 << 20;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::signaled);
  CHECK(outcome.signal == SIGXFSZ);
  auto size = box->run(bash("stat -c %s /box/big"));
  CHECK(size.stdout_data == "1048576\n");
  require_host_fine(harness, box);
}

TEST_CASE("/etc/shadow and the host's /etc are out of reach", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome = box->run(bash("cat /etc/shadow; ls /etc; cat /etc/passwd"));
  INFO(describe(outcome));
  CHECK(contains(outcome.stderr_data, "No such file"));
  CHECK_FALSE(contains(outcome.stdout_data, "shadow"));
  CHECK_FALSE(contains(outcome.stdout_data, "gshadow"));
  CHECK_FALSE(contains(outcome.stdout_data, "sudoers"));
  CHECK(contains(outcome.stdout_data, "runner:x:1000:1000"));
  std::string shadow = read_host_file("/etc/shadow");
  if (!shadow.empty()) {
    std::string first_entry = shadow.substr(0, shadow.find('\n'));
    CHECK_FALSE(contains(outcome.stdout_data, first_entry));
  }
  require_host_fine(harness, box);
}

TEST_CASE("the data dir is out of reach", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto data = harness.dir() / "data";
  std::filesystem::create_directories(data);
  std::ofstream(data / "results.db") << "secret-data-7f3a";
  auto box = harness.box();
  auto outcome = box->run(bash("cat " + (data / "results.db").string() + "; ls " +
                               harness.dir().string() + "; grep -rs secret-data-7f3a / ; true"));
  INFO(describe(outcome));
  CHECK_FALSE(contains(outcome.stdout_data, "secret-data-7f3a"));
  CHECK(contains(outcome.stderr_data, "No such file"));
  require_host_fine(harness, box);
}

TEST_CASE("the source tree, /root and /home are out of reach", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  std::string source = IDE_SOURCE_DIR;
  auto outcome = box->run(bash("ls /; cat " + source + "/CMakeLists.txt; ls /root /home " + source +
                               " /work /run /var 2>&1; true"));
  INFO(describe(outcome));
  CHECK_FALSE(contains(outcome.stdout_data, "cmake_minimum_required"));
  std::istringstream listing(outcome.stdout_data);
  std::string entry;
  std::vector<std::string> top;
  while (std::getline(listing, entry) && !entry.empty() && entry.find(' ') == std::string::npos) {
    top.push_back(entry);
  }
  for (const auto& hidden : {"root", "home", "work", "run", "var", "srv", "opt", "sys"}) {
    INFO(hidden);
    CHECK(std::find(top.begin(), top.end(), hidden) == top.end());
  }
  CHECK(std::find(top.begin(), top.end(), "usr") != top.end());
  require_host_fine(harness, box);
}

TEST_CASE("writing outside the work dir fails", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome = box->run(
      bash("for p in /x /usr/x /usr/bin/x /etc/x /etc/passwd /bin/x /lib/x /dev/x /proc/x /sys; do "
           "  if ( echo pwned > $p ) 2>/dev/null; then echo wrote $p; fi; done; "
           "mkdir /newdir 2>/dev/null && echo made; echo ok > /box/here && echo ok > /tmp/here && "
           "echo allowed"));
  INFO(describe(outcome));
  CHECK(outcome.stdout_data == "allowed\n");
  CHECK_FALSE(std::filesystem::exists("/usr/x"));
  CHECK_FALSE(std::filesystem::exists("/x"));
  require_host_fine(harness, box);
}

TEST_CASE("a server on the host's loopback cannot be reached", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(listen(listener, 16) == 0);
  socklen_t length = sizeof address;
  REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  int port = ntohs(address.sin_port);

  Harness harness;
  auto box = harness.box();
  auto outcome =
      box->run(python("import socket\n"
                      "for host in ('127.0.0.1', 'localhost', '::1'):\n"
                      "  try:\n"
                      "    socket.create_connection((host, " +
                      std::to_string(port) +
                      "), timeout=1)\n"
                      "    print('connected')\n"
                      "  except OSError as e:\n"
                      "    print('refused')\n"));
  INFO(describe(outcome));
  CHECK(outcome.stdout_data == "refused\nrefused\nrefused\n");
  int accepted = accept(listener, nullptr, nullptr);
  CHECK(accepted < 0);
  if (accepted >= 0) close(accepted);
  close(listener);
  require_host_fine(harness, box);
}

TEST_CASE("an outside address cannot be reached", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome = box->run(
      python("import socket\n"
             "for addr in (('1.1.1.1', 53), ('8.8.8.8', 443), ('2606:4700:4700::1111', 53)):\n"
             "  try:\n"
             "    socket.create_connection(addr, timeout=1)\n"
             "    print('connected')\n"
             "  except OSError as e:\n"
             "    print('failed:', e.strerror)\n"));
  INFO(describe(outcome));
  // IPv4 has no route; IPv6 has not even a source address.
  CHECK(outcome.stdout_data ==
        "failed: Network is unreachable\nfailed: Network is unreachable\n"
        "failed: Cannot assign requested address\n");
  require_host_fine(harness, box);
}

TEST_CASE("DNS does not resolve", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome =
      box->run(python("import socket\n"
                      "try:\n"
                      "  print(socket.getaddrinfo('debian.org', 443))\n"
                      "except socket.gaierror:\n"
                      "  print('no dns')\n"));
  INFO(describe(outcome));
  CHECK(outcome.stdout_data == "no dns\n");
  require_host_fine(harness, box);
}

TEST_CASE("raw and packet sockets are denied", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome =
      box->run(python("import socket\n"
                      "for args in ((socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),\n"
                      "             (socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6),\n"
                      "             (socket.AF_PACKET, socket.SOCK_RAW, 0),\n"
                      "             (socket.AF_PACKET, socket.SOCK_DGRAM, 0)):\n"
                      "  try:\n"
                      "    socket.socket(*args)\n"
                      "    print('opened')\n"
                      "  except OSError:\n"
                      "    print('denied')\n"));
  INFO(describe(outcome));
  CHECK(outcome.stdout_data == "denied\ndenied\ndenied\ndenied\n");
  require_host_fine(harness, box);
}

TEST_CASE("ptrace is denied", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
  printf("traceme %s\n", ptrace(PTRACE_TRACEME, 0, 0, 0) == -1 && errno == EPERM ? "denied" : "allowed");
  pid_t child = fork();
  if (child == 0) { pause(); return 0; }
  printf("attach child %s\n", ptrace(PTRACE_ATTACH, child, 0, 0) == -1 ? "denied" : "allowed");
  printf("attach init %s\n", ptrace(PTRACE_SEIZE, 1, 0, 0) == -1 ? "denied" : "allowed");
  kill(child, SIGKILL);
  return 0;
})");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  CHECK(outcome.stdout_data == "traceme denied\nattach child denied\nattach init denied\n");
  require_host_fine(harness, box);
}

TEST_CASE("kill -9 -1 reaches nothing outside the run", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  // A host process with the very uid the run has: only the pid namespace protects it.
  uid_t uid = box->host_uid();
  pid_t victim = fork();
  if (victim == 0) {
    if (setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0) _exit(1);
    for (;;) pause();
  }
  REQUIRE(victim > 0);
  auto outcome = box->run(bash("sleep 100 & kill -9 -1; echo survived"));
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data == "survived\n");
  int status = 0;
  CHECK(waitpid(victim, &status, WNOHANG) == 0);  // still running
  kill(victim, SIGKILL);
  waitpid(victim, &status, 0);
  require_host_fine(harness, box);
}

TEST_CASE("/proc shows only the run's own processes", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome = box->run(
      bash("ls /proc | grep -cE '^[0-9]+$'; cat /proc/*/cmdline 2>/dev/null | tr '\\0' ' '; echo; "
           "cat /proc/1/environ /proc/1/maps /proc/1/mem 2>&1 | head -c 300"));
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(std::atoi(outcome.stdout_data.c_str()) <= 5);
  CHECK_FALSE(contains(outcome.stdout_data, "sandbox_tests"));
  CHECK(contains(outcome.stdout_data, "Permission denied"));
  require_host_fine(harness, box);
}

TEST_CASE("the server's environment is not visible", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  setenv("IDE_TEST_SECRET", "hunter2-e1b9", 1);
  Harness harness;
  auto box = harness.box();
  auto outcome =
      box->run(bash("env; cat /proc/1/environ /proc/1/cmdline /proc/self/environ 2>&1; "
                    "cat /proc/*/environ 2>/dev/null; true"));
  unsetenv("IDE_TEST_SECRET");
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK_FALSE(contains(outcome.stdout_data, "hunter2-e1b9"));
  CHECK_FALSE(contains(outcome.stdout_data, "IDE_TEST_SECRET"));
  CHECK(contains(outcome.stdout_data, "HOME=/box"));
  require_host_fine(harness, box);
}

TEST_CASE("only fds 0-2 are inherited", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  // Descriptors the server holds without O_CLOEXEC must still not leak into a run.
  int leaked_file = open("/etc/hostname", O_RDONLY);
  int leaked_socket = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(leaked_file >= 0);
  auto box = harness.box();
  compile_c(*box, R"(
#include <fcntl.h>
#include <stdio.h>
int main(void) {
  int open_fds = 0;
  for (int fd = 0; fd < 4096; ++fd) if (fcntl(fd, F_GETFD) != -1) ++open_fds;
  printf("%d\n", open_fds);
  return 0;
})");
  auto outcome = box->run(program());
  close(leaked_file);
  close(leaked_socket);
  INFO(describe(outcome));
  CHECK(outcome.stdout_data == "3\n");
  require_host_fine(harness, box);
}

TEST_CASE("setuid binaries grant nothing", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome =
      box->run(bash("stat -c %A /usr/bin/su; grep ' /usr ' /proc/self/mountinfo | grep -c nosuid; "
                    "grep NoNewPrivs /proc/self/status; /usr/bin/su root -c 'id -u' < /dev/null; "
                    "/usr/bin/mount -t tmpfs none /tmp 2>&1 >/dev/null | head -c 0; id -u"));
  INFO(describe(outcome));
  CHECK(outcome.stdout_data.substr(0, 4) == "-rws");  // the test is meaningful: su is setuid
  CHECK(contains(outcome.stdout_data, "\n1\n"));      // /usr is mounted nosuid
  CHECK(contains(outcome.stdout_data, "NoNewPrivs:\t1"));
  CHECK_FALSE(contains(outcome.stdout_data, "\n0\n"));
  CHECK(outcome.stdout_data.size() >= 5);
  CHECK(outcome.stdout_data.substr(outcome.stdout_data.size() - 5) == "1000\n");
  require_host_fine(harness, box);
}

TEST_CASE("mount and nested namespaces are denied", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
  printf("userns %s\n", unshare(CLONE_NEWUSER) == 0 ? "allowed" : "denied");
  printf("mountns %s\n", unshare(CLONE_NEWNS) == 0 ? "allowed" : "denied");
  printf("netns %s\n", unshare(CLONE_NEWNET) == 0 ? "allowed" : "denied");
  printf("clone %s\n", syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0) >= 0 ? "allowed" : "denied");
  printf("mount %s\n", mount("none", "/tmp", "tmpfs", 0, 0) == 0 ? "allowed" : "denied");
  printf("setns %s\n", setns(0, 0) == 0 ? "allowed" : "denied");
  return 0;
})");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  CHECK(outcome.stdout_data ==
        "userns denied\nmountns denied\nnetns denied\nclone denied\nmount denied\nsetns denied\n");
  auto unshare = box->run(bash("unshare -r id 2>&1; unshare -U true || echo refused"));
  INFO(describe(unshare));
  CHECK(contains(unshare.stdout_data, "refused"));
  require_host_fine(harness, box);
}

TEST_CASE("stack overflow is a runtime error", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <stdio.h>
int deep(int n) { volatile char pad[4096]; pad[0] = (char)n; return deep(n + 1) + pad[0]; }
int main(void) { printf("%d\n", deep(0)); return 0; })",
            {"-O0"});
  auto outcome = box->run(program());
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::signaled);
  CHECK(outcome.signal == SIGSEGV);
  require_host_fine(harness, box);
}

TEST_CASE("too many open files", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
int main(void) {
  int n = 0;
  while (n < 1000000 && open("/dev/null", O_RDONLY) >= 0) ++n;
  printf("%d %s\n", n, errno == EMFILE ? "EMFILE" : "other");
  return 0;
})");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(contains(outcome.stdout_data, "EMFILE"));
  CHECK(std::atoi(outcome.stdout_data.c_str()) < 1024);
  require_host_fine(harness, box);
}

TEST_CASE("zombies are reaped with the run", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <stdio.h>
#include <unistd.h>
int main(void) {
  for (int i = 0; i < 20; ++i) if (fork() == 0) _exit(0);
  usleep(200000);
  puts("left zombies");
  return 0;
})");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data == "left zombies\n");
  require_host_fine(harness, box);
}

TEST_CASE("symlinks planted in the work dir are never followed by the server",
          "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  std::string passwd_before = read_host_file("/etc/passwd");
  auto planted = box->run(bash(
      "ln -s /etc/passwd /box/main.py; ln -s /etc/shadow /box/stdout; ln -s / /box/root; "
      "mkfifo /box/fifo; ln /etc/passwd /box/hard 2>/dev/null || echo no-hardlink; echo planted"));
  INFO(describe(planted));
  CHECK(planted.stdout_data == "no-hardlink\nplanted\n");
  // The next stage's files are written by the server into the same directory.
  REQUIRE(box->write_file("main.py", "print('replaced')"));
  REQUIRE(box->write_file("fifo", "not blocked"));
  CHECK(read_host_file("/etc/passwd") == passwd_before);
  auto next = box->run(bash("cat /box/main.py; echo; cat /box/fifo"));
  INFO(describe(next));
  CHECK(next.stdout_data == "print('replaced')\nnot blocked");
  require_host_fine(harness, box);
}

TEST_CASE("two concurrent runs cannot see each other's files", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness(2);
  auto first = harness.box(0);
  auto second = harness.box(1);
  StageOutcome writer;
  StageOutcome spy;
  std::thread a([&] {
    auto spec = bash(
        "echo secret-a41 > /box/a.txt; echo secret-a41 > /tmp/a.txt; "
        "echo secret-a41 > /dev/shm/a.txt; sleep 2; cat /box/a.txt");
    spec.limits.wall_ms = 20'000;
    writer = first->run(spec);
  });
  std::thread b([&] {
    // The spy's own command line must not contain what it looks for.
    auto spec = bash(
        "s=secret-a; n=a.tx; for i in $(seq 10); do ls -a / /box /tmp /dev/shm; "
        "cat /proc/*/cmdline; find / -maxdepth 4 -name \"$n\"t 2>/dev/null; "
        "grep -rs \"${s}41\" /box /tmp /dev/shm; sleep 0.2; done 2>/dev/null; echo spy-done");
    spec.limits.wall_ms = 20'000;
    spy = second->run(spec);
  });
  a.join();
  b.join();
  INFO(describe(writer));
  INFO(describe(spy));
  CHECK(writer.stdout_data == "secret-a41\n");
  CHECK(contains(spy.stdout_data, "spy-done"));
  CHECK_FALSE(contains(spy.stdout_data, "a.txt"));
  CHECK_FALSE(contains(spy.stdout_data, "secret-a41"));
  CHECK(first->host_uid() != second->host_uid());
  require_host_fine(harness, second, 1);
  require_host_fine(harness, first, 0);
}

TEST_CASE("binary output is kept byte-exact", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome =
      box->run(python("import sys\nsys.stdout.buffer.write(bytes(range(256)) * 4)\n"
                      "sys.stderr.buffer.write(b'\\xff\\xfe\\x00\\xc3\\x28')"));
  INFO(describe(outcome));
  std::string expected;
  for (int round = 0; round < 4; ++round) {
    for (int byte = 0; byte < 256; ++byte) expected.push_back(static_cast<char>(byte));
  }
  CHECK(outcome.stdout_data == expected);
  CHECK(outcome.stderr_data == std::string("\xff\xfe\x00\xc3\x28", 5));
  require_host_fine(harness, box);
}

TEST_CASE("ANSI escape sequences are passed through verbatim", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome = box->run(bash("printf '\\033[31mred\\033[0m\\033[2J\\033]0;title\\007\\n'"));
  INFO(describe(outcome));
  CHECK(outcome.stdout_data == "\x1b[31mred\x1b[0m\x1b[2J\x1b]0;title\x07\n");
  require_host_fine(harness, box);
}

TEST_CASE("non-native system call ABIs kill the program", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <stdio.h>
#include <unistd.h>
int main(void) {
  long result;
  /* getpid through the i386 gate, which a filter for x86-64 does not cover */
  __asm__ volatile("int $0x80" : "=a"(result) : "a"(20) : "memory");
  printf("%ld %d\n", result, (int)getpid());
  return 0;
})");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  if (read_host_file("/proc/cpuinfo").find("User Mode Linux") == std::string::npos) {
    // SIGSYS from the filter; kernels without the i386 gate (some VMs) fault first: SIGSEGV.
    CHECK(outcome.termination == Termination::signaled);
    CHECK((outcome.signal == SIGSYS || outcome.signal == SIGSEGV));
  } else {
    // User-Mode Linux has no i386 ABI: its kernel takes int $0x80 as a native call (number 20
    // is writev there, which fails on these registers) that the filter sees like any other.
    // What matters holds: getpid did not run through the i386 gate.
    CHECK(outcome.termination == Termination::exited);
    long result = 0;
    long pid = 0;
    std::istringstream(outcome.stdout_data) >> result >> pid;
    CHECK(pid > 0);
    CHECK(result < 0);
  }
  // x32 numbers (bit 30 set) are the same architecture to the kernel: the filter must not let
  // them through (the kernel may lack x32 as well: then ENOSYS).
  compile_c(*box, R"(
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
  long r = syscall(0x40000000L | SYS_getpid);
  printf("%s\n", r == -1 && errno == ENOSYS ? "ENOSYS" : "ran");
  return 0;
})");
  auto x32 = box->run(program());
  INFO(describe(x32));
  CHECK(((x32.termination == Termination::signaled && x32.signal == SIGSYS) ||
         x32.stdout_data == "ENOSYS\n"));
  require_host_fine(harness, box);
}

TEST_CASE("io_uring, bpf, perf, keyrings, kexec and reboot are denied", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
  long calls[][2] = {{SYS_io_uring_setup, 1}, {SYS_bpf, 0}, {SYS_perf_event_open, 0},
                     {SYS_keyctl, 0}, {SYS_add_key, 0}, {SYS_kexec_load, 0},
                     {SYS_reboot, 0}, {SYS_init_module, 0}, {SYS_userfaultfd, 0},
                     {SYS_swapon, 0}, {SYS_process_vm_readv, 1}};
  int allowed = 0;
  for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; ++i)
    if (syscall(calls[i][0], calls[i][1], 0, 0, 0, 0, 0) >= 0) ++allowed;
  printf("%d allowed\n", allowed);
  return 0;
})");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  CHECK(outcome.stdout_data == "0 allowed\n");
  require_host_fine(harness, box);
}

TEST_CASE("the run is never host root and holds no capabilities", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome =
      box->run(bash("id -u; id -g; cat /proc/self/uid_map; grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' "
                    "/proc/self/status"));
  INFO(describe(outcome));
  std::string uid = std::to_string(box->host_uid());
  CHECK(box->host_uid() != 0);
  CHECK(contains(outcome.stdout_data, "1000\n1000\n"));
  std::istringstream map(outcome.stdout_data.substr(10));
  std::string inner, outer, count;
  map >> inner >> outer >> count;
  CHECK(inner == "1000");
  CHECK(outer == uid);
  CHECK(count == "1");
  for (const char* cap : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    INFO(cap);
    CHECK(contains(outcome.stdout_data, std::string(cap) + ":\t0000000000000000"));
  }
  require_host_fine(harness, box);
}

TEST_CASE("the network has only a loopback interface, and it is down", "[sandbox][adversarial]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome =
      box->run(bash("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; "
                    "cat /sys/class/net/lo/operstate 2>/dev/null; hostname"));
  INFO(describe(outcome));
  CHECK(outcome.stdout_data == "lo\nbox\n");
  require_host_fine(harness, box);
}
