// Turns one submission into sandbox stages (write the source, compile, run) and the stages'
// outcomes into a RunResult with its verdict.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/limits.hpp"
#include "core/test_cases.hpp"
#include "language_catalogue.hpp"
#include "result/job_source.hpp"
#include "result/result_service.hpp"
#include "sandbox/sandbox.hpp"

namespace ide::result {

/// Stateless apart from the limit settings, so one instance serves every worker.
class Executor {
 public:
  explicit Executor(core::LimitSettings limits) : limits_(limits) {}

  /// Runs `job` as `language` in `box` (fresh, owned by the calling worker). Fills the
  /// verdict, outputs and measurements; id, status and timestamps are the caller's. With `live`
  /// the run stage streams through it (not the compile stage, nor the runs of tests).
  RunResult execute(const LanguageSpec& language, const JobInput& job, sandbox::Box& box,
                    sandbox::LiveChannel* live = nullptr) const;

 private:
  /// The run stage on `stdin_data` within `limits`, into `result`'s verdict and outputs.
  void run_program(const LanguageSpec& language, const JobInput& job,
                   const std::string& stdin_data, const core::RequestedLimits& limits,
                   sandbox::Box& box, RunResult& result,
                   sandbox::LiveChannel* live = nullptr) const;
  /// Runs the compiled program once per test (each a fresh process tree in the same work dir).
  void run_tests(const LanguageSpec& language, const JobInput& job, sandbox::Box& box,
                 RunResult& result) const;

  core::LimitSettings limits_;
};

/// What decides a run's verdict besides how its stage ended.
struct RunVerdictRules {
  /// Hitting the output cap is not a verdict of its own: the run counts as ok (it was stopped
  /// because its output was cut) and only the truncated flags tell.
  bool truncate_output_only = false;
  /// The run's memory limit: a failed run whose peak reached it ran out of memory.
  std::int64_t memory_limit_kb = 0;
  /// What the language's runtime prints when an allocation is refused (LanguageSpec).
  std::span<const std::string> out_of_memory_markers;
};

/// The verdict and fields of the run stage's `outcome` (SPEC section 5). A run that failed by
/// itself (non-zero exit or a signal) is memory_limit_exceeded, keeping its exit code or signal,
/// when its peak reached the limit or its stderr carries one of the out-of-memory markers: the
/// program asked for more memory than it may use and was refused, rather than OOM-killed.
void apply_run_outcome(sandbox::StageOutcome outcome, const RunVerdictRules& rules,
                       RunResult& result);

/// How `test` (the `index`th, from 0) went, given its `run`: the run's verdict, or wrong_answer
/// with a hint when it ended well but its stdout is not the expected one under `compare`.
TestOutcome judge_test(const core::TestCase& test, std::size_t index, const RunResult& run,
                       const core::Comparison& compare);

/// The compile stage ended in `outcome`: true if the run stage may follow. Otherwise `result`
/// holds the compile_error (or internal_error when the sandbox failed).
bool apply_compile_outcome(const sandbox::StageOutcome& outcome, RunResult& result);

}  // namespace ide::result
