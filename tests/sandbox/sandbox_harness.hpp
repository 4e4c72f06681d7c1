// Helpers for the sandbox tests: a sandbox in a temp dir, stage specs for bash/python/C, and the
// "host is still fine" checks every adversarial case ends with.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "sandbox/sandbox.hpp"
#include "support/temp_dir.hpp"

namespace ide::sandbox::test {

/// The host probe, done once per test process.
const IsolationReport& isolation();

/// Skips (loudly, with a WARNING naming the reason) a case that needs real isolation when the
/// machine cannot provide it: not root, no user namespaces, no cgroups.
#define IDE_REQUIRE_ISOLATION()                          \
  do {                                                   \
    if (!::ide::sandbox::test::isolation().usable) {     \
      WARN("SKIPPED: this machine cannot isolate runs: " \
           << ::ide::sandbox::test::isolation().reason); \
      return;                                            \
    }                                                    \
  } while (false)

/// The environment the tests give programs (the sandbox inherits nothing).
std::vector<std::string> default_env();

StageSpec bash(std::string script);
StageSpec python(std::string code);
/// Runs ./prog (built by compile_c) in the box.
StageSpec program(std::vector<std::string> args = {});
/// `ms` times ide::test::time_scale() (IDE_TEST_TIME_SCALE): wider limits on a slow machine.
std::int64_t scaled_ms(std::int64_t ms);
/// Small, fast limits for adversarial runs (their times scaled).
core::StageLimits tight_limits();

/// A secure sandbox in a temp dir.
class Harness {
 public:
  explicit Harness(unsigned slots = 1, SandboxOptions overrides = {});
  Sandbox& sandbox() { return *sandbox_; }
  std::unique_ptr<Box> box(unsigned slot = 0);
  const std::filesystem::path& dir() const { return temp_.path(); }

 private:
  ide::test::TempDir temp_;
  std::unique_ptr<Sandbox> sandbox_;
};

/// Writes prog.c into the box and compiles it with /usr/bin/gcc in a compile stage through the
/// sandbox itself; fails the test when it does not compile.
void compile_c(Box& box, const std::string& source, const std::vector<std::string>& flags = {});
/// The same for prog.cpp with /usr/bin/g++.
void compile_cpp(Box& box, const std::string& source);

/// Processes on the host whose real uid is `uid` (scanning /proc).
std::vector<pid_t> processes_of_uid(std::uint32_t uid);

/// The run cgroups (run-*) under this process's sandbox cgroups (ide-<pid>-*), one directory per
/// hierarchy (v1) or one (v2).
std::vector<std::string> run_cgroups();

/// After an adversarial run, with its box still open (closing a box kills its uid's processes,
/// which would hide a leak): nothing of the box's uid is left on the host and no run cgroup is
/// left. Then closes the box and checks that a new box on the same slot still runs a program.
void require_host_fine(Harness& harness, std::unique_ptr<Box>& box, unsigned slot = 0);

/// For failure messages.
std::string describe(const StageOutcome& outcome);

}  // namespace ide::sandbox::test
