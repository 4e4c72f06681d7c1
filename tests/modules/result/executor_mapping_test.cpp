// How sandbox stage outcomes become verdicts (SPEC section 5), without running processes.
#include <catch2/catch.hpp>

#include "executor.hpp"

using ide::result::apply_compile_outcome;
using ide::result::apply_run_outcome;
using ide::result::RunResult;
using ide::result::Verdict;
using ide::sandbox::StageOutcome;
using ide::sandbox::Termination;

namespace {

StageOutcome outcome(Termination termination) {
  StageOutcome o;
  o.termination = termination;
  o.stdout_data = "out";
  o.stderr_data = "err";
  o.cpu_ms = 12;
  o.wall_ms = 34;
  o.memory_kb = 5678;
  return o;
}

RunResult run(StageOutcome o, bool truncate_only = false) {
  RunResult r;
  ide::result::RunVerdictRules rules;
  rules.truncate_output_only = truncate_only;
  apply_run_outcome(std::move(o), rules, r);
  return r;
}

const std::vector<std::string> kPythonMarkers = {"MemoryError"};

RunResult run_python(StageOutcome o, std::int64_t memory_limit_kb = 256 * 1024) {
  RunResult r;
  ide::result::RunVerdictRules rules;
  rules.memory_limit_kb = memory_limit_kb;
  rules.out_of_memory_markers = kPythonMarkers;
  apply_run_outcome(std::move(o), rules, r);
  return r;
}

}  // namespace

TEST_CASE("a clean exit is ok with exit code 0 and the measurements", "[result]") {
  const RunResult r = run(outcome(Termination::exited));
  CHECK(r.verdict == Verdict::ok);
  CHECK(r.exit_code == std::optional<int>(0));
  CHECK_FALSE(r.signal.has_value());
  CHECK(r.stdout_data == "out");
  CHECK(r.stderr_data == "err");
  CHECK(r.time_ms == 12);
  CHECK(r.wall_ms == 34);
  CHECK(r.memory_kb == 5678);
}

TEST_CASE("a non-zero exit or a signal is a runtime_error that keeps the code", "[result]") {
  StageOutcome exited = outcome(Termination::exited);
  exited.exit_code = 42;
  const RunResult by_code = run(exited);
  CHECK(by_code.verdict == Verdict::runtime_error);
  CHECK(by_code.exit_code == std::optional<int>(42));

  StageOutcome signaled = outcome(Termination::signaled);
  signaled.signal = 11;
  const RunResult by_signal = run(signaled);
  CHECK(by_signal.verdict == Verdict::runtime_error);
  CHECK(by_signal.signal == std::optional<int>(11));
  CHECK_FALSE(by_signal.exit_code.has_value());
}

TEST_CASE("limits map to their verdicts", "[result]") {
  CHECK(run(outcome(Termination::time_limit)).verdict == Verdict::time_limit_exceeded);
  CHECK(run(outcome(Termination::memory_limit)).verdict == Verdict::memory_limit_exceeded);
  CHECK(run(outcome(Termination::setup_failed)).verdict == Verdict::internal_error);
}

TEST_CASE("the output limit is a verdict unless configured to only truncate", "[result]") {
  StageOutcome o = outcome(Termination::output_limit);
  o.stdout_truncated = true;
  const RunResult strict = run(o);
  CHECK(strict.verdict == Verdict::output_limit_exceeded);
  CHECK(strict.stdout_truncated);
  CHECK_FALSE(strict.stderr_truncated);
  CHECK(strict.stdout_data == "out");

  const RunResult lenient = run(o, true);
  CHECK(lenient.verdict == Verdict::ok);
  CHECK(lenient.stdout_truncated);

  // Truncation without hitting the kill (e.g. stderr cut at exit) keeps the exit's verdict.
  StageOutcome cut = outcome(Termination::exited);
  cut.exit_code = 1;
  cut.stderr_truncated = true;
  const RunResult r = run(cut, true);
  CHECK(r.verdict == Verdict::runtime_error);
  CHECK(r.stderr_truncated);
}

TEST_CASE("compile stage outcomes", "[result]") {
  SECTION("success lets the run follow and keeps warnings") {
    StageOutcome o = outcome(Termination::exited);
    RunResult r;
    CHECK(apply_compile_outcome(o, r));
    CHECK(r.compile_output == "outerr");
  }
  SECTION("a failing compiler is a compile_error with its output") {
    StageOutcome o = outcome(Termination::exited);
    o.exit_code = 1;
    o.stdout_data = "";
    o.stderr_data = "main.c:1: error: expected ';'\n";
    RunResult r;
    CHECK_FALSE(apply_compile_outcome(o, r));
    CHECK(r.verdict == Verdict::compile_error);
    CHECK(r.compile_output == "main.c:1: error: expected ';'\n");
  }
  SECTION("a compiler stopped by a limit is a compile_error that says why") {
    StageOutcome o = outcome(Termination::time_limit);
    RunResult r;
    CHECK_FALSE(apply_compile_outcome(o, r));
    CHECK(r.verdict == Verdict::compile_error);
    CHECK(r.compile_output.find("time limit") != std::string::npos);
  }
  SECTION("a compiler the sandbox cannot start is an internal_error") {
    StageOutcome o = outcome(Termination::setup_failed);
    o.error = "execve: No such file or directory";
    RunResult r;
    CHECK_FALSE(apply_compile_outcome(o, r));
    CHECK(r.verdict == Verdict::internal_error);
    CHECK(r.stderr_data.find("No such file") != std::string::npos);
  }
}

TEST_CASE("a failed run that was refused memory is memory_limit_exceeded", "[result]") {
  StageOutcome exited = outcome(Termination::exited);
  exited.exit_code = 1;
  exited.stderr_data = "Traceback (most recent call last):\n  ...\nMemoryError\n";
  const RunResult by_marker = run_python(exited);
  CHECK(by_marker.verdict == Verdict::memory_limit_exceeded);
  CHECK(by_marker.exit_code == std::optional<int>(1));
  CHECK(by_marker.stderr_data == exited.stderr_data);

  StageOutcome aborted = outcome(Termination::signaled);
  aborted.signal = 6;
  aborted.stderr_data = "MemoryError";
  const RunResult by_signal = run_python(aborted);
  CHECK(by_signal.verdict == Verdict::memory_limit_exceeded);
  CHECK(by_signal.signal == std::optional<int>(6));

  // No marker, but the peak reached the limit (a quiet program that checked malloc's NULL).
  StageOutcome quiet = outcome(Termination::exited);
  quiet.exit_code = 1;
  quiet.memory_kb = 256 * 1024;
  CHECK(run_python(quiet).verdict == Verdict::memory_limit_exceeded);
  CHECK(run_python(quiet, 256 * 1024 + 1).verdict == Verdict::runtime_error);
}

TEST_CASE("the out-of-memory markers and peak never override other verdicts", "[result]") {
  // A program that handled its MemoryError and succeeded is ok.
  StageOutcome ok = outcome(Termination::exited);
  ok.stderr_data = "MemoryError";
  ok.memory_kb = 512 * 1024;
  CHECK(run_python(ok).verdict == Verdict::ok);
  // Another language's marker, or none at all, leaves an ordinary runtime error.
  StageOutcome failed = outcome(Termination::exited);
  failed.exit_code = 1;
  failed.stderr_data = "terminate called after throwing an instance of 'std::bad_alloc'";
  CHECK(run_python(failed).verdict == Verdict::runtime_error);
  CHECK(run(failed).verdict == Verdict::runtime_error);
  // Limits the sandbox enforced keep their verdicts.
  for (Termination termination : {Termination::time_limit, Termination::output_limit}) {
    StageOutcome limited = outcome(termination);
    limited.stderr_data = "MemoryError";
    limited.memory_kb = 512 * 1024;
    CHECK(run_python(limited).verdict != Verdict::memory_limit_exceeded);
  }
  StageOutcome broken = outcome(Termination::setup_failed);
  broken.stderr_data = "MemoryError";
  CHECK(run_python(broken).verdict == Verdict::internal_error);
}

