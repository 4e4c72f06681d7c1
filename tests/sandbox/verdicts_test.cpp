// Terminations that tell the truth (issue 9, item 4): a program that uses more memory than its
// limit ends as the cgroup's OOM kill (memory_limit), not as a refused allocation that looks
// like the program's own runtime error; a SIGXCPU the program sends itself is an ordinary signal,
// while a real CPU overrun stays a time limit. Real programs through the real sandbox.
#include <signal.h>
#include <unistd.h>

#include "sandbox_harness.hpp"

using namespace ide::sandbox;
using namespace ide::sandbox::test;

// tight_limits() give 128 MiB: each program below asks for 1 GiB or more, beyond the old
// RLIMIT_AS of 2 x memory + 256 MiB, which used to refuse it.

TEST_CASE("Python allocating 2 GiB under a 128 MiB limit ends as the memory limit",
          "[sandbox][verdicts]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome = box->run(python("b = bytearray(2 * 1024**3)\nprint('allocated')"));
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::memory_limit);
  CHECK(outcome.stdout_data.empty());
  CHECK(outcome.stderr_data.find("MemoryError") == std::string::npos);
  require_host_fine(harness, box);
}

TEST_CASE("a C++ vector beyond the limit ends as the memory limit, not std::bad_alloc",
          "[sandbox][verdicts]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_cpp(*box, R"(
#include <cstdio>
#include <vector>
int main() {
  std::vector<char> v(std::size_t(1) << 30, 1);
  std::printf("%d\n", v[12345]);
})");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::memory_limit);
  CHECK(outcome.stderr_data.find("bad_alloc") == std::string::npos);
  require_host_fine(harness, box);
}

TEST_CASE("C that checks malloc's NULL and uses the memory ends as the memory limit",
          "[sandbox][verdicts]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <stdlib.h>
int main(void) {
  size_t size = (size_t)1 << 30;
  char* p = malloc(size);
  if (p == NULL) return 1;
  volatile char* touch = p; /* so that the compiler cannot drop the allocation */
  for (size_t i = 0; i < size; i += 4096) touch[i] = 1;
  return 0;
})");
  auto outcome = box->run(program());
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::memory_limit);
  CHECK(outcome.memory_kb >= 100 * 1024);
  require_host_fine(harness, box);
}

TEST_CASE("a SIGXCPU the program sends itself is a signal, not a time limit",
          "[sandbox][verdicts]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  for (const StageSpec& spec :
       {bash("kill -XCPU $$"), python("import os, signal\nos.kill(os.getpid(), signal.SIGXCPU)")}) {
    auto outcome = box->run(spec);
    INFO(spec.argv[0] << ": " << describe(outcome));
    CHECK(outcome.termination == Termination::signaled);
    CHECK(outcome.signal == SIGXCPU);
    CHECK(outcome.cpu_ms < spec.limits.cpu_ms);
  }
  require_host_fine(harness, box);
}

TEST_CASE("insecure mode: RLIMIT_AS still limits memory, the kernel's SIGXCPU is a time limit",
          "[sandbox][verdicts][insecure]") {
  SandboxOptions insecure;
  insecure.insecure = true;
  Harness harness(1, insecure);
  auto box = harness.box();
  // No cgroup here: the address-space limit is the only memory limit, so the allocation is
  // refused (the result module turns the MemoryError into the memory verdict).
  auto refused = box->run(python("b = bytearray(2 * 1024**3)"));
  INFO(describe(refused));
  CHECK(refused.termination == Termination::exited);
  CHECK(refused.exit_code == 1);
  CHECK(refused.stderr_data.find("MemoryError") != std::string::npos);
  // Nothing but RLIMIT_CPU stops a busy loop here: its SIGXCPU is the time limit.
  auto spec = python("while True: pass");
  spec.limits.cpu_ms = 500;
  spec.limits.wall_ms = 20'000;
  auto looped = box->run(spec);
  INFO(describe(looped));
  CHECK(looped.termination == Termination::time_limit);
  CHECK(looped.cpu_ms >= 500);
  CHECK(looped.wall_ms < 20'000);
}
