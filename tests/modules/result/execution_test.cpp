// Real execution through the sandbox library in insecure mode (the isolation itself is tested in
// tests/sandbox): the shipped catalogue's compilers and interpreters, stdin, exit codes, signals,
// limits and output caps, then whole jobs through the service and the module's factory.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <map>

#include "core/config.hpp"
#include "executor.hpp"
#include "language_catalogue.hpp"
#include "support/time_scale.hpp"
#include "result/module.hpp"
#include "sandbox/sandbox.hpp"
#include "service_harness.hpp"

using namespace std::chrono_literals;
using ide::result::Executor;
using ide::result::LanguageCatalogue;
using ide::result::RunResult;
using ide::result::Verdict;

namespace {

/// The shipped catalogue, probed once for the whole test run.
const LanguageCatalogue& shipped_catalogue() {
  static const LanguageCatalogue catalogue = [] {
    auto specs = ide::result::load_catalogue("config/languages.json");
    REQUIRE(specs);
    return LanguageCatalogue::probe(*specs);
  }();
  return catalogue;
}

class RealRun {
 public:
  explicit RealRun(bool insecure = true) {
    // Runs started by root drop to a slot uid, which must be able to reach the work dir.
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all |
                                                  std::filesystem::perms::group_exec |
                                                  std::filesystem::perms::others_exec);
    auto sandbox =
        ide::sandbox::make_sandbox({.boxes_dir = dir_ / "boxes", .slots = 1, .insecure = insecure});
    REQUIRE(sandbox);
    sandbox_ = std::move(*sandbox);
  }

  RunResult run(const std::string& language, const std::string& code,
                const std::string& stdin_data = "", ide::core::LimitSettings limits = {},
                ide::core::RequestedLimits requested = {}) {
    return run_job({.id = "job",
                    .language = language,
                    .code = code,
                    .stdin_data = stdin_data,
                    .limits = requested,
                    .args = {},
                    .expected_stdout = std::nullopt},
                   limits);
  }

  RunResult run_job(const ide::result::JobInput& job, ide::core::LimitSettings limits = {}) {
    const auto* spec = shipped_catalogue().find(job.language);
    INFO("language " << job.language << " must be installed");
    REQUIRE(spec != nullptr);
    // A slow machine (the cgroup v2 guest's one emulated CPU) gets wider default limits. The
    // time-limit test asks for its own (`requested`), which stay as they are.
    for (auto* stage : {&limits.compile, &limits.run}) {
      stage->cpu_ms *= ide::test::time_scale();
      stage->wall_ms *= ide::test::time_scale();
    }
    limits.max_cpu_ms *= ide::test::time_scale();
    limits.max_wall_ms *= ide::test::time_scale();
    auto box = sandbox_->open_box(0);
    REQUIRE(box);
    return Executor(limits).execute(*spec, job, **box);
  }

 private:
  ide::test::TempDir dir_;
  std::unique_ptr<ide::sandbox::Sandbox> sandbox_;
};

}  // namespace

TEST_CASE("the minimum set of languages is installed and probed", "[result][execution]") {
  for (const char* id : {"python", "c", "cpp", "javascript", "bash"}) {
    INFO(id);
    CHECK(shipped_catalogue().find(id) != nullptr);
  }
  for (const auto& language : shipped_catalogue().served()) {
    INFO(language.id);
    CHECK_FALSE(language.version.empty());
    CHECK_FALSE(language.name.empty());
  }
}

TEST_CASE("a Python program reads stdin", "[result][execution]") {
  RealRun box;
  const RunResult r =
      box.run("python", "import sys\nprint(sys.stdin.read().upper(), end='')\n", "hello\nworld");
  CHECK(r.verdict == Verdict::ok);
  CHECK(r.exit_code == std::optional<int>(0));
  CHECK(r.stdout_data == "HELLO\nWORLD");
  CHECK(r.stderr_data.empty());
  CHECK(r.compile_output.empty());
  CHECK(r.wall_ms >= 0);
}

TEST_CASE("C and C++ compile and run", "[result][execution]") {
  RealRun box;
  const RunResult c = box.run("c",
                              "#include <stdio.h>\n#include <math.h>\n"
                              "int main(void) { int a, b; scanf(\"%d %d\", &a, &b);\n"
                              "  printf(\"%d %.0f\\n\", a + b, sqrt(81.0)); return 0; }\n",
                              "2 40");
  CHECK(c.verdict == Verdict::ok);
  CHECK(c.stdout_data == "42 9\n");

  const RunResult cpp = box.run("cpp",
                                "#include <iostream>\n#include <ranges>\n#include <vector>\n"
                                "int main() { std::vector<int> v{1, 2, 3, 4};\n"
                                "  int sum = 0; for (int x : v | std::views::filter([](int x) {\n"
                                "    return x % 2 == 0; })) sum += x;\n"
                                "  std::cout << sum << std::endl; }\n");
  CHECK(cpp.verdict == Verdict::ok);
  CHECK(cpp.stdout_data == "6\n");
}

TEST_CASE("args follow the program's own argv", "[result][execution]") {
  RealRun box;
  const RunResult r = box.run_job({.id = "job",
                                   .language = "python",
                                   .code = "import sys\nprint(sys.argv[1:])\n",
                                   .stdin_data = "",
                                   .limits = {},
                                   .args = {"1", "two words", "--flag"},
                                   .expected_stdout = std::nullopt});
  CHECK(r.verdict == Verdict::ok);
  CHECK(r.stdout_data == "['1', 'two words', '--flag']\n");
}

TEST_CASE("tests compile once and run once each, judged by the compare mode",
          "[result][execution]") {
  RealRun box;
  using ide::core::TestCase;
  // C: compiled once, run per test.
  const std::string sum =
      "#include <stdio.h>\nint main(void) { long a, b; if (scanf(\"%ld %ld\", &a, &b) != 2)"
      " return 3; printf(\"%ld\\n\", a + b); return 0; }\n";
  const RunResult c = box.run_job({.id = "job",
                                   .language = "c",
                                   .code = sum,
                                   .stdin_data = "",
                                   .limits = {},
                                   .tests = {{.name = "small", .stdin_data = "1 2",
                                              .expected_stdout = "3"},
                                             {.name = "", .stdin_data = "40 2",
                                              .expected_stdout = "41\n"},
                                             {.name = "broken", .stdin_data = "x",
                                              .expected_stdout = "0"},
                                             {.name = "big", .stdin_data = "4000000000 1",
                                              .expected_stdout = "4000000001"}},
                                   .compare = {ide::core::CompareMode::tokens}});
  REQUIRE(c.tests.size() == 4);
  CHECK(c.tests[0].name == "small");
  CHECK(c.tests[0].verdict == Verdict::ok);
  CHECK(c.tests[0].stdout_data == "3\n");
  CHECK(c.tests[0].hint.empty());
  CHECK(c.tests[1].name == "2");
  CHECK(c.tests[1].verdict == Verdict::wrong_answer);
  CHECK(c.tests[1].hint == R"(token 1: expected "41", got "42")");
  CHECK(c.tests[2].verdict == Verdict::runtime_error);
  CHECK(c.tests[3].verdict == Verdict::ok);
  // The whole is the first failure: its verdict and its run's output.
  CHECK(c.verdict == Verdict::wrong_answer);
  CHECK(c.stdout_data == "42\n");
  CHECK(c.compile_output.empty());

  // Each test has its own limits; floats compare within epsilon.
  const RunResult py = box.run_job(
      {.id = "job",
       .language = "python",
       .code = "import time, sys\nn = float(input())\nif n < 0: time.sleep(5)\nprint(n / 3)\n",
       .stdin_data = "",
       .limits = {},
       .tests = {{.name = "third", .stdin_data = "1", .expected_stdout = "0.3333"},
                 {.name = "slow", .stdin_data = "-1", .expected_stdout = "", .wall_ms = 500}},
       .compare = {ide::core::CompareMode::float_tokens, 1e-3}});
  REQUIRE(py.tests.size() == 2);
  CHECK(py.tests[0].verdict == Verdict::ok);
  CHECK(py.tests[1].verdict == Verdict::time_limit_exceeded);
  CHECK(py.verdict == Verdict::time_limit_exceeded);
}

TEST_CASE("a test's stdout is kept up to its cap, after a compile error each test says so",
          "[result][execution]") {
  RealRun box;
  const RunResult big = box.run_job(
      {.id = "job",
       .language = "python",
       .code = "print('x' * 10000)\n",
       .stdin_data = "",
       .limits = {},
       .tests = {{.name = "", .stdin_data = "", .expected_stdout = std::string(10000, 'x')}},
       .compare = {ide::core::CompareMode::exact}});
  REQUIRE(big.tests.size() == 1);
  CHECK(big.tests[0].verdict == Verdict::wrong_answer);  // exact: the newline counts
  CHECK(big.tests[0].stdout_data.size() == ide::result::kTestStdoutBytes);
  CHECK(big.tests[0].stdout_truncated);
  CHECK(big.stdout_data.size() == 10001);  // the whole run's output stays whole

  const RunResult broken = box.run_job({.id = "job",
                                        .language = "c",
                                        .code = "int main(void) { return x; }\n",
                                        .stdin_data = "",
                                        .limits = {},
                                        .tests = {{.name = "", .stdin_data = "",
                                                   .expected_stdout = ""},
                                                  {.name = "secret", .stdin_data = "",
                                                   .expected_stdout = "", .hidden = true}}});
  CHECK(broken.verdict == Verdict::compile_error);
  REQUIRE(broken.tests.size() == 2);
  CHECK(broken.tests[0].name == "1");
  CHECK(broken.tests[0].verdict == Verdict::compile_error);
  CHECK(broken.tests[1].name == "secret");
  CHECK(broken.tests[1].verdict == Verdict::compile_error);
  CHECK(broken.tests[1].hidden);
}

TEST_CASE("a hidden test keeps its verdict and measurements, never what the program printed",
          "[result][execution]") {
  RealRun box;
  // Echoes its input to stdout and stderr: a hidden input must not come back through either.
  const RunResult run = box.run_job(
      {.id = "job",
       .language = "python",
       .code = "import sys\ns = input()\nprint(s)\nprint(s, file=sys.stderr)\n",
       .stdin_data = "",
       .limits = {},
       .tests = {{.name = "shown", .stdin_data = "visible", .expected_stdout = "visible"},
                 {.name = "secret", .stdin_data = "HIDDEN-INPUT", .expected_stdout = "other",
                  .hidden = true},
                 {.name = "", .stdin_data = "ok", .expected_stdout = "ok", .hidden = true}},
       .compare = {ide::core::CompareMode::trim_trailing}});
  REQUIRE(run.tests.size() == 3);
  CHECK_FALSE(run.tests[0].hidden);
  CHECK(run.tests[0].stdout_data == "visible\n");
  CHECK(run.tests[1].hidden);
  CHECK(run.tests[1].verdict == Verdict::wrong_answer);
  CHECK(run.tests[1].stdout_data.empty());
  CHECK(run.tests[1].hint.empty());
  CHECK(run.tests[1].wall_ms > 0);
  CHECK(run.tests[2].verdict == Verdict::ok);
  CHECK(run.tests[2].stdout_data.empty());
  // The whole shows the first failure, a hidden one: its verdict, not its output.
  CHECK(run.verdict == Verdict::wrong_answer);
  CHECK(run.stdout_data.empty());
  CHECK(run.stderr_data.empty());
}

TEST_CASE("an expected stdout turns a run into accepted or wrong_answer", "[result][execution]") {
  RealRun box;
  const auto judged = [&box](const char* code, std::string expected) {
    return box.run_job({.id = "job",
                        .language = "python",
                        .code = code,
                        .stdin_data = "",
                        .limits = {},
                        .args = {},
                        .expected_stdout = std::move(expected)});
  };
  // Trailing blanks on a line and trailing newlines do not count (Judge0's rule).
  CHECK(judged("print('1 2  ')\nprint('3')\nprint()\n", "1 2\n3").verdict == Verdict::ok);
  const RunResult wrong = judged("print(41)\n", "42\n");
  CHECK(wrong.verdict == Verdict::wrong_answer);
  CHECK(wrong.exit_code == std::optional<int>(0));
  CHECK(wrong.stdout_data == "41\n");
  // A failing run keeps its own verdict: wrong_answer is only for a run that ended well.
  CHECK(judged("import sys\nsys.exit(2)\n", "").verdict == Verdict::runtime_error);
}

TEST_CASE("a compile error keeps the compiler's output", "[result][execution]") {
  RealRun box;
  const RunResult r = box.run("c", "int main(void) { return undeclared_name; }\n");
  CHECK(r.verdict == Verdict::compile_error);
  CHECK(r.compile_output.find("undeclared_name") != std::string::npos);
  CHECK(r.stdout_data.empty());
  CHECK_FALSE(r.exit_code.has_value());
}

TEST_CASE("a non-zero exit code and stderr are kept", "[result][execution]") {
  RealRun box;
  const RunResult r =
      box.run("python", "import sys\nprint('out')\nprint('bad', file=sys.stderr)\nsys.exit(3)\n");
  CHECK(r.verdict == Verdict::runtime_error);
  CHECK(r.exit_code == std::optional<int>(3));
  CHECK_FALSE(r.signal.has_value());
  CHECK(r.stdout_data == "out\n");
  CHECK(r.stderr_data == "bad\n");
}

TEST_CASE("a program killed by a signal is a runtime_error with the signal",
          "[result][execution]") {
  RealRun box;
  const RunResult r = box.run("c",
                              "#include <signal.h>\n"
                              "int main(void) { raise(SIGSEGV); return 0; }\n");
  CHECK(r.verdict == Verdict::runtime_error);
  CHECK(r.signal == std::optional<int>(SIGSEGV));
  CHECK_FALSE(r.exit_code.has_value());
}

TEST_CASE("a busy loop hits the time limit", "[result][execution]") {
  RealRun box;
  const RunResult r = box.run("python", "while True:\n    pass\n", "", {},
                              {.cpu_ms = 300, .wall_ms = 5'000, .memory_kb = std::nullopt});
  INFO("cpu " << r.time_ms << " ms, wall " << r.wall_ms << " ms");
  CHECK(r.verdict == Verdict::time_limit_exceeded);
  CHECK(r.time_ms >= 200);
}

/// Insecure mode, plus real isolation when the host offers it: the verdicts must agree.
std::vector<bool> insecure_modes() {
  if (ide::sandbox::probe_isolation().usable) return {true, false};
  WARN("isolation is not usable here, only insecure mode is tested");
  return {true};
}

TEST_CASE("programs refused memory beyond their limit are memory_limit_exceeded",
          "[result][execution][verdicts]") {
  // Each asks for at least 1 GiB under the default 256 MiB. Isolated, the cgroup OOM-kills
  // what touches it and the runtimes' markers catch what overcommit refuses; in insecure mode
  // RLIMIT_AS refuses it and the markers (or the peak, for quiet C) tell.
  const std::map<std::string, std::pair<std::string, std::string>> programs = {
      {"python bytearray", {"python", "b = bytearray(2 * 1024**3)\nprint(len(b))\n"}},
      {"C++ vector",
       {"cpp",
        "#include <cstdio>\n#include <vector>\nint main() {\n"
        "  std::vector<char> v(std::size_t(1) << 30, 1); std::printf(\"%d\\n\", v[7]); }\n"}},
      {"C++ new[] beyond what overcommit allows",
       {"cpp",
        "#include <cstdio>\nint main() {\n  char* volatile p = new char[std::size_t(1) << 44];\n"
        "  p[0] = 1; std::printf(\"%d\\n\", p[0]); }\n"}},
      {"C malloc in a loop with a NULL check, quietly",
       {"c",
        "#include <stdlib.h>\n#include <string.h>\nint main(void) {\n"
        "  for (;;) { char* volatile p = malloc(1 << 20); if (!p) return 1; memset(p, 1, 1 << 20); "
        "} }\n"}},
  };
  for (bool insecure : insecure_modes()) {
    RealRun box(insecure);
    for (const auto& [name, program] : programs) {
      INFO((insecure ? "insecure: " : "isolated: ") << name);
      const RunResult r = box.run(program.first, program.second);
      INFO("stderr: " << r.stderr_data << " memory_kb " << r.memory_kb);
      CHECK(r.verdict == Verdict::memory_limit_exceeded);
      CHECK(r.stdout_data.empty());
    }
    // Isolated, a single big malloc succeeds and touching it is the OOM kill.
    if (!insecure) {
      const RunResult r = box.run("c",
                                  "#include <stdlib.h>\n#include <string.h>\nint main(void) {\n"
                                  "  size_t n = (size_t)1 << 30; char* p = malloc(n);\n"
                                  "  if (!p) return 1; volatile char* v = p;\n"
                                  "  for (size_t i = 0; i < n; i += 4096) v[i] = 1; }\n");
      CHECK(r.verdict == Verdict::memory_limit_exceeded);
    }
  }
}

TEST_CASE("a self-sent SIGXCPU is a runtime_error, a CPU overrun a time limit",
          "[result][execution][verdicts]") {
  for (bool insecure : insecure_modes()) {
    INFO((insecure ? "insecure" : "isolated"));
    RealRun box(insecure);
    const RunResult self =
        box.run("python", "import os, signal\nos.kill(os.getpid(), signal.SIGXCPU)\n");
    CHECK(self.verdict == Verdict::runtime_error);
    CHECK(self.signal == std::optional<int>(SIGXCPU));
    // Insecure, only the kernel's RLIMIT_CPU (its SIGXCPU) stops the loop.
    const RunResult loop = box.run("c", "int main(void) { for (;;) {} }\n", "", {},
                                   {.cpu_ms = 300, .wall_ms = 10'000, .memory_kb = std::nullopt});
    INFO("cpu " << loop.time_ms << " ms, wall " << loop.wall_ms << " ms");
    CHECK(loop.verdict == Verdict::time_limit_exceeded);
    CHECK(loop.time_ms >= 300);
    CHECK(loop.wall_ms < 10'000);
  }
}

TEST_CASE("output beyond the cap is truncated", "[result][execution]") {
  RealRun box;
  ide::core::LimitSettings limits;
  limits.run.output_bytes = 64 * 1024;
  const std::string flood = "import sys\nsys.stdout.write('x' * 1000000)\n";
  const RunResult strict = box.run("python", flood, "", limits);
  CHECK(strict.verdict == Verdict::output_limit_exceeded);
  CHECK(strict.stdout_truncated);
  CHECK_FALSE(strict.stderr_truncated);
  CHECK(strict.stdout_data.size() == 64 * 1024);

  limits.truncate_output_only = true;
  const RunResult lenient = box.run("python", flood, "", limits);
  CHECK(lenient.verdict == Verdict::ok);
  CHECK(lenient.stdout_truncated);
  CHECK(lenient.stdout_data.size() == 64 * 1024);
}

TEST_CASE("JavaScript and Bash run", "[result][execution]") {
  RealRun box;
  const RunResult js = box.run("javascript",
                               "let s = ''; process.stdin.on('data', d => s += d);\n"
                               "process.stdin.on('end', () => console.log(s.trim().length));\n",
                               "abcd\n");
  CHECK(js.verdict == Verdict::ok);
  CHECK(js.stdout_data == "4\n");
  const RunResult sh = box.run("bash", "read name\necho \"hi $name\"\n", "ide\n");
  CHECK(sh.verdict == Verdict::ok);
  CHECK(sh.stdout_data == "hi ide\n");
}

TEST_CASE("the minimum set runs inside real isolation when the host offers it",
          "[result][execution]") {
  if (!ide::sandbox::probe_isolation().usable) {
    WARN("isolation is not usable here: " << ide::sandbox::probe_isolation().reason);
    return;
  }
  RealRun box(false);
  CHECK(box.run("python", "print(input())", "py\n").stdout_data == "py\n");
  CHECK(box.run("c", "#include <stdio.h>\nint main(void) { puts(\"c\"); }\n").stdout_data == "c\n");
  CHECK(box.run("cpp", "#include <iostream>\nint main() { std::cout << \"cpp\\n\"; }\n")
            .stdout_data == "cpp\n");
  CHECK(box.run("javascript", "console.log('js')").stdout_data == "js\n");
  CHECK(box.run("bash", "echo sh").stdout_data == "sh\n");
}

TEST_CASE("whole jobs run through the module's factory in insecure mode", "[result][execution]") {
  ide::test::TempDir dir;
  ide::result::ResultOptions config;
  config.data_dir = dir / "data";
  config.workers = 2;
  config.insecure_no_sandbox = true;
  ide::core::SystemClock clock;
  const std::filesystem::path boxes = ide::result::boxes_dir_for(config);
  CHECK_FALSE(std::filesystem::exists(boxes));
  auto module = ide::result::make_result_module(config, clock);
  REQUIRE(module);
  CHECK((*module)->isolation_summary().find("WARNING") != std::string::npos);
  CHECK(std::filesystem::exists(dir / "data" / "results.db"));
  const auto languages = (*module)->service().languages();
  REQUIRE(languages);
  REQUIRE(languages->size() >= 5);
  CHECK(languages->front().id == "python");

  ide::test::FakeSubmissionService submissions;
  ide::submission::Submission py;
  py.language = "python";
  py.code = "print(input()[::-1])";
  py.stdin_data = "olleh\n";
  const std::string py_id = submissions.add(py);
  ide::submission::Submission c;
  c.language = "c";
  c.code = "#include <stdio.h>\nint main(void) { puts(\"compiled\"); return 0; }\n";
  const std::string c_id = submissions.add(c);

  ide::compose::SubmissionJobSource jobs(submissions);
  (*module)->start(jobs);
  REQUIRE((*module)->service().enqueue(py_id));
  REQUIRE((*module)->service().enqueue(c_id));
  for (const auto& [id, expected] :
       {std::pair{py_id, std::string("hello\n")}, std::pair{c_id, std::string("compiled\n")}}) {
    // Long polls until done; the bound is generous for a loaded machine.
    ide::core::Result<RunResult> r = ide::core::fail(ide::core::ErrorCode::internal, "no answer");
    for (int poll = 0; poll < 12; ++poll) {
      ide::test::CallbackProbe probe;
      REQUIRE((*module)->service().watch_result(id, 10s, ide::test::run_inline, probe.callback()));
      r = probe.get(60s);
      if (!r || r->status == ide::result::Status::done) break;
    }
    REQUIRE(r);
    REQUIRE(r->status == ide::result::Status::done);
    CHECK(r->verdict == Verdict::ok);
    CHECK(r->stdout_data == expected);
  }
  (*module)->stop(5s);
  const auto refused = (*module)->service().enqueue(submissions.add(py));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ide::core::ErrorCode::shutting_down);

  // The module's boxes dir (outside the data dir) goes with it.
  CHECK(std::filesystem::is_directory(boxes));
  CHECK(boxes.string().find(dir.path().string()) == std::string::npos);
  module->reset();
  CHECK_FALSE(std::filesystem::exists(boxes));
}

TEST_CASE("without insecure mode the factory needs usable isolation", "[result][execution]") {
  ide::test::TempDir dir;
  ide::result::ResultOptions config;
  config.data_dir = dir / "data";
  config.workers = 1;
  ide::core::SystemClock clock;
  const auto isolation = ide::sandbox::probe_isolation();
  auto module = ide::result::make_result_module(config, clock);
  if (isolation.usable) {
    REQUIRE(module);
    CHECK((*module)->isolation_summary().find("WARNING") == std::string::npos);
  } else {
    REQUIRE_FALSE(module);
    CHECK(module.error().code == ide::core::ErrorCode::unavailable);
    CHECK(module.error().message.find(isolation.reason) != std::string::npos);
  }
}

TEST_CASE("serve refuses a boxes dir that is a symlink or open to others", "[result][boxes]") {
  ide::test::TempDir dir;
  ide::result::ResultOptions config;
  config.data_dir = dir / "data";
  config.workers = 1;
  config.insecure_no_sandbox = true;  // the same checks, on any machine
  ide::core::SystemClock clock;
  const std::filesystem::path boxes = ide::result::boxes_dir_for(config);
  REQUIRE_FALSE(std::filesystem::exists(std::filesystem::symlink_status(boxes)));
  std::string problem;
  SECTION("a symlink") {
    std::filesystem::create_directory(dir / "elsewhere");
    std::filesystem::create_directory_symlink(dir / "elsewhere", boxes);
    problem = "a symlink";
  }
  SECTION("mode 0777") {
    std::filesystem::create_directory(boxes);
    std::filesystem::permissions(boxes, std::filesystem::perms::all);
    problem = "mode 0777";
  }
  auto module = ide::result::make_result_module(config, clock);
  std::filesystem::remove(boxes);
  REQUIRE_FALSE(module);
  INFO(module.error().message);
  CHECK(module.error().code == ide::core::ErrorCode::unavailable);
  CHECK(module.error().message.find(boxes.string()) != std::string::npos);
  CHECK(module.error().message.find(problem) != std::string::npos);
}

TEST_CASE("doctor lists isolation and each language", "[result][execution]") {
  ide::result::ResultOptions config;
  config.insecure_no_sandbox = true;
  const std::string report = ide::result::doctor_report(config);
  CHECK(report.find("WARNING") != std::string::npos);
  CHECK(report.find("python") != std::string::npos);
  CHECK(report.find(shipped_catalogue().served()[0].version) != std::string::npos);
  config.insecure_no_sandbox = false;
  CHECK(ide::result::doctor_report(config).find("WARNING") == std::string::npos);
  config.languages_file = "config/no-such-file.json";
  CHECK(ide::result::doctor_report(config).find("cannot load") != std::string::npos);
}
