// The sandbox's ordinary behaviour: both modes run programs, feed stdin, capture output, report
// exit codes, signals and measurements; compile-then-run works; bad arguments are refused; the
// isolation report is readable. Isolated cases skip with a WARNING when the machine cannot.
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "sandbox_harness.hpp"

using namespace ide::sandbox;
using namespace ide::sandbox::test;

TEST_CASE("the isolation report says what this machine offers", "[sandbox]") {
  const auto& report = isolation();
  auto text = report.describe();
  CHECK(text.find("user namespace: ") != std::string::npos);
  CHECK(text.find("cgroup: ") != std::string::npos);
  CHECK(text.find("seccomp: ") != std::string::npos);
  CHECK(text.find("uid range: ") != std::string::npos);
  if (report.usable) {
    CHECK(report.reason.empty());
    CHECK((report.cgroup_version == "v1" || report.cgroup_version == "v2"));
    CHECK(text.find("isolation: usable") != std::string::npos);
  } else {
    CHECK_FALSE(report.reason.empty());
    CHECK(text.find("NOT usable") != std::string::npos);
    WARN("isolation is not usable here: " << report.reason);
  }
}

// Where a stage must prove a cgroup version (the cgroup v2 guest of scripts/guest-test.sh sets
// IDE_EXPECT_CGROUP=v2), anything else is a failure, never a silent fallback or a skip.
TEST_CASE("the sandbox uses the cgroup version and controllers the stage expects", "[sandbox]") {
  const char* expected = std::getenv("IDE_EXPECT_CGROUP");
  if (expected == nullptr || *expected == '\0') return;
  const auto& report = isolation();
  INFO(report.describe());
  REQUIRE(report.usable);
  REQUIRE(report.cgroup_version == expected);
  auto has = [&](const char* controller) {
    return std::find(report.controllers.begin(), report.controllers.end(), controller) !=
           report.controllers.end();
  };
  CHECK(has("memory"));
  CHECK(has("pids"));
  CHECK(has(report.cgroup_version == "v2" ? "cpu" : "cpuacct"));
}

TEST_CASE("make_sandbox refuses to run without isolation unless insecure", "[sandbox]") {
  ide::test::TempDir dir;
  auto secure = make_sandbox(SandboxOptions{.boxes_dir = dir / "boxes", .slots = 1});
  if (isolation().usable) {
    REQUIRE(secure);
    CHECK((*secure)->isolation().usable);
  } else {
    REQUIRE_FALSE(secure);
    CHECK(secure.error().code == ide::core::ErrorCode::unavailable);
    CHECK_FALSE(secure.error().message.empty());
  }
  auto zero_slots = make_sandbox(SandboxOptions{.boxes_dir = dir / "b2", .slots = 0});
  CHECK_FALSE(zero_slots);
}

TEST_CASE("insecure mode runs a program with stdin, stdout, stderr and exit code",
          "[sandbox][insecure]") {
  ide::test::TempDir dir;
  auto sandbox =
      make_sandbox(SandboxOptions{.boxes_dir = dir / "boxes", .slots = 1, .insecure = true});
  REQUIRE(sandbox);
  auto box = (*sandbox)->open_box(0);
  REQUIRE(box);
  REQUIRE((*box)->write_file("data.txt", "from a file"));
  StageSpec spec = bash("cat; echo; cat data.txt; echo err >&2; exit 3");
  spec.stdin_data = "hello";
  auto outcome = (*box)->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.exit_code == 3);
  CHECK(outcome.stdout_data == "hello\nfrom a file");
  CHECK(outcome.stderr_data == "err\n");
  // A program built in the work dir runs as ./name, as in the isolated mode.
  REQUIRE((*box)->write_file("prog.c", "#include <stdio.h>\nint main(void) { puts(\"built\"); }"));
  StageSpec compile;
  compile.argv = {"/usr/bin/gcc", "-o", "prog", "prog.c"};
  compile.env = default_env();
  compile.limits.cpu_ms = 20'000;
  compile.limits.wall_ms = 40'000;
  auto compiled = (*box)->run(compile);
  INFO(describe(compiled));
  REQUIRE(compiled.exit_code == 0);
  StageSpec run;
  run.argv = {"./prog"};
  auto ran = (*box)->run(run);
  INFO(describe(ran));
  CHECK(ran.stdout_data == "built\n");
  if (geteuid() == 0) CHECK((*box)->host_uid() != 0);  // root drops to the slot's uid
}

TEST_CASE("insecure mode enforces wall time and output caps", "[sandbox][insecure]") {
  ide::test::TempDir dir;
  auto sandbox =
      make_sandbox(SandboxOptions{.boxes_dir = dir / "boxes", .slots = 1, .insecure = true});
  REQUIRE(sandbox);
  auto box = (*sandbox)->open_box(0);
  REQUIRE(box);
  auto sleepy = bash("sleep 30");
  sleepy.limits.wall_ms = 500;
  auto slept = (*box)->run(sleepy);
  INFO(describe(slept));
  CHECK(slept.termination == Termination::time_limit);
  auto flood = bash("yes");
  flood.limits.output_bytes = 10'000;
  auto flooded = (*box)->run(flood);
  INFO(describe(flooded));
  CHECK(flooded.termination == Termination::output_limit);
  CHECK(flooded.stdout_data.size() == 10'000);
}

TEST_CASE("an isolated run reports exit codes, signals and measurements", "[sandbox]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto exited = box->run(bash("exit 42"));
  INFO(describe(exited));
  CHECK(exited.termination == Termination::exited);
  CHECK(exited.exit_code == 42);
  auto signaled = box->run(bash("kill -SEGV $$"));
  INFO(describe(signaled));
  CHECK(signaled.termination == Termination::signaled);
  CHECK(signaled.signal == SIGSEGV);
  auto measured = box->run(python("x = bytearray(48 << 20)\nprint(len(x))"));
  INFO(describe(measured));
  CHECK(measured.termination == Termination::exited);
  CHECK(measured.memory_kb >= 48 * 1024);
  CHECK(measured.memory_kb < 128 * 1024);
  CHECK(measured.wall_ms >= 0);
  CHECK(measured.cpu_ms >= 0);
}

TEST_CASE("compile then run in the same box", "[sandbox]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  compile_c(*box, R"(
#include <stdio.h>
int main(void) { int a, b; if (scanf("%d %d", &a, &b) != 2) return 1; printf("%d\n", a + b); })");
  auto spec = program();
  spec.stdin_data = "40 2\n";
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data == "42\n");
}

TEST_CASE("a compile error is an ordinary non-zero exit with the compiler's output", "[sandbox]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  REQUIRE(box->write_file("prog.c", "int main(void) { return missing; }"));
  StageSpec spec;
  spec.argv = {"/usr/bin/gcc", "-o", "prog", "prog.c"};
  spec.env = default_env();
  spec.limits.cpu_ms = 20'000;
  spec.limits.wall_ms = 40'000;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.exit_code != 0);
  CHECK(outcome.stderr_data.find("missing") != std::string::npos);
}

TEST_CASE("megabytes of stdin arrive whole while output streams back", "[sandbox]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  std::string input;
  for (int i = 0; input.size() < (6u << 20); ++i) input += "line " + std::to_string(i) + "\n";
  auto spec = bash("cat; cat /dev/stdin | wc -c >&2");
  spec.stdin_data = input;
  spec.limits.output_bytes = 8 << 20;
  auto outcome = box->run(spec);
  INFO(describe(outcome).substr(0, 400));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data == input);
  CHECK_FALSE(outcome.stdout_truncated);
}

TEST_CASE("output exactly at the cap is not truncated", "[sandbox]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto spec = python("import sys\nsys.stdout.write('y' * 1000)");
  spec.limits.output_bytes = 1000;
  auto outcome = box->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK_FALSE(outcome.stdout_truncated);
  CHECK(outcome.stdout_data.size() == 1000);
}

TEST_CASE("the toolchains run inside the minimal root", "[sandbox]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  for (const auto& [argv, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"/usr/bin/python3", "-c", "print(6 * 7)"}, "42\n"},
           {{"/bin/bash", "-c", "echo $((6 * 7))"}, "42\n"},
           {{"/usr/bin/node", "-e", "console.log(6 * 7)"}, "42\n"}}) {
    if (access(argv[0].c_str(), X_OK) != 0) {
      WARN("not installed, not tested: " << argv[0]);
      continue;
    }
    StageSpec spec;
    spec.argv = argv;
    spec.env = default_env();
    spec.limits = tight_limits();
    spec.limits.memory_kb = 512 * 1024;
    spec.limit_address_space = argv[0] != "/usr/bin/node";
    auto outcome = box->run(spec);
    INFO(argv[0] << ": " << describe(outcome));
    CHECK(outcome.termination == Termination::exited);
    CHECK(outcome.stdout_data == expected);
  }
}

TEST_CASE("boxes: slots, file names and cleanup", "[sandbox]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness(2);
  auto box = harness.box(0);
  CHECK_FALSE(harness.sandbox().open_box(0));  // one box per slot at a time
  CHECK_FALSE(harness.sandbox().open_box(2));  // out of range
  for (const char* bad : {"", ".", "..", "a/b", "/etc/passwd"}) {
    INFO(bad);
    CHECK_FALSE(box->write_file(bad, "x"));
  }
  REQUIRE(box->write_file("kept.txt", "between stages"));
  auto first = box->run(bash("cat kept.txt; echo more > made.txt"));
  CHECK(first.stdout_data == "between stages");
  auto second = box->run(bash("cat made.txt"));
  CHECK(second.stdout_data == "more\n");
  box.reset();
  auto fresh = harness.box(0);
  auto listing = fresh->run(bash("ls -A /box | wc -l"));
  CHECK(listing.stdout_data == "0\n");  // a new box starts empty
}

TEST_CASE("argv[0] is absolute or ./name, a missing program is a setup failure", "[sandbox]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  StageSpec relative;
  relative.argv = {"python3"};
  CHECK(box->run(relative).termination == Termination::setup_failed);
  compile_c(*box, "#include <stdio.h>\nint main(void) { puts(\"local\"); return 0; }");
  auto local = program();
  local.argv = {"./prog"};
  auto ran = box->run(local);
  INFO(describe(ran));
  CHECK(ran.stdout_data == "local\n");
  StageSpec missing;
  missing.argv = {"/usr/bin/does-not-exist"};
  auto outcome = box->run(missing);
  CHECK(outcome.termination == Termination::setup_failed);
  CHECK(outcome.error.find("does-not-exist") != std::string::npos);
}

TEST_CASE("cancel() from another thread stops the running stage and later ones", "[sandbox]") {
  auto check = [](Box& box) {
    auto spec = bash("sleep 300");
    spec.limits.wall_ms = 60'000;
    StageOutcome outcome;
    std::thread runner([&] { outcome = box.run(spec); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    box.cancel();
    runner.join();
    INFO(describe(outcome));
    CHECK(outcome.termination == Termination::setup_failed);
    CHECK(outcome.error.find("cancelled") != std::string::npos);
    auto later = box.run(bash("echo never"));
    CHECK(later.termination == Termination::setup_failed);
    CHECK(later.stdout_data.empty());
  };
  SECTION("insecure") {
    ide::test::TempDir dir;
    auto sandbox =
        make_sandbox(SandboxOptions{.boxes_dir = dir / "boxes", .slots = 1, .insecure = true});
    REQUIRE(sandbox);
    auto box = (*sandbox)->open_box(0);
    REQUIRE(box);
    check(**box);
  }
  SECTION("isolated") {
    IDE_REQUIRE_ISOLATION();
    Harness harness;
    auto box = harness.box();
    check(*box);
    require_host_fine(harness, box);
  }
}

TEST_CASE("work-dir mounts left by a killed server are detached at start", "[sandbox]") {
  IDE_REQUIRE_ISOLATION();
  ide::test::TempDir dir;
  // What a server killed with -9 leaves: a box tmpfs of a pool uid nobody holds any more.
  auto orphan = dir / "old-boxes" / "box-60999";
  std::filesystem::create_directories(orphan);
  // Marked by its source (this version: no uid in the options) or by its uid= option (older).
  std::string source = "ide-box";
  std::string options = "size=64k,mode=0700";
  SECTION("this version's") {}
  SECTION("an older version's") {
    source = "tmpfs";
    options += ",uid=60999,gid=60999";
  }
  REQUIRE(mount(source.c_str(), orphan.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) ==
          0);
  auto mounted = [&] {
    std::ifstream info("/proc/self/mountinfo");
    std::string line;
    while (std::getline(info, line)) {
      if (line.find(" " + orphan.string() + " ") != std::string::npos) return true;
    }
    return false;
  };
  REQUIRE(mounted());
  {
    auto sandbox = make_sandbox(SandboxOptions{.boxes_dir = dir / "boxes", .slots = 1});
    REQUIRE(sandbox);
  }
  bool left = mounted();
  if (left) umount2(orphan.c_str(), MNT_DETACH);
  CHECK_FALSE(left);
}

namespace {

std::string first_line_of(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The cpu.weight (v2) or cpu.shares (v1) of the run cgroup that holds a process, once one does.
std::string cpu_weight_of_running_run() {
  for (int attempt = 0; attempt < 6000; ++attempt) {
    for (const auto& dir : run_cgroups()) {
      if (first_line_of(dir + "/cgroup.procs").empty()) continue;
      for (const char* file : {"/cpu.weight", "/cpu.shares"}) {
        std::string value = first_line_of(dir + file);
        if (!value.empty()) return dir + file + " = " + value;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return "";
}

}  // namespace

TEST_CASE("runs get run_cpu_weight in their cgroup, lower than the server's", "[sandbox]") {
  IDE_REQUIRE_ISOLATION();
  const auto& controllers = isolation().controllers;
  if (std::find(controllers.begin(), controllers.end(), "cpu") == controllers.end()) {
    WARN("no cpu controller here (" << isolation().describe() << "): no weight to read");
    return;
  }
  SandboxOptions options;
  options.run_cpu_weight = 30;
  Harness harness(1, options);
  auto box = harness.box();
  // The run waits for the test to have read its cgroup: it ends when `released` appears.
  auto spec = bash("while [ ! -e released ]; do sleep 0.01; done; echo released");
  spec.limits.wall_ms = 120'000;
  StageOutcome outcome;
  std::thread runner([&] { outcome = box->run(spec); });
  std::string seen = cpu_weight_of_running_run();
  std::ofstream(harness.dir() / "boxes" / ("box-" + std::to_string(box->host_uid())) /
                "released");
  runner.join();
  INFO(describe(outcome));
  CHECK(outcome.stdout_data == "released\n");
  INFO("the run's cgroup: " << seen);
  // v2 takes the weight as it is; v1's cpu.shares is 1024 for the default weight of 100.
  const bool v2 = isolation().cgroup_version == "v2";
  CHECK(seen.ends_with(v2 ? "/cpu.weight = 30" : "/cpu.shares = 307"));
  require_host_fine(harness, box);
}
