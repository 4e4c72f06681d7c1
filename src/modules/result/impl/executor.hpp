// Turns one submission into sandbox stages (write the source, compile, run) and the stages'
// outcomes into a RunResult with its verdict.
#pragma once

#include "core/limits.hpp"
#include "language_catalogue.hpp"
#include "result/result_service.hpp"
#include "sandbox/sandbox.hpp"
#include "submission/submission_service.hpp"

namespace ide::result {

/// Stateless apart from the limit settings, so one instance serves every worker.
class Executor {
 public:
  explicit Executor(core::LimitSettings limits) : limits_(limits) {}

  /// Runs `submission` as `language` in `box` (fresh, owned by the calling worker). Fills the
  /// verdict, outputs and measurements; id, status and timestamps are the caller's.
  RunResult execute(const LanguageSpec& language, const submission::Submission& submission,
                    sandbox::Box& box) const;

 private:
  core::LimitSettings limits_;
};

/// The verdict and fields of the run stage's `outcome` (SPEC section 5). With
/// `truncate_output_only`, hitting the output cap is not a verdict of its own: the run counts
/// as ok (it was stopped because its output was cut) and only the truncated flags tell.
void apply_run_outcome(sandbox::StageOutcome outcome, bool truncate_output_only, RunResult& result);

/// The compile stage ended in `outcome`: true if the run stage may follow. Otherwise `result`
/// holds the compile_error (or internal_error when the sandbox failed).
bool apply_compile_outcome(const sandbox::StageOutcome& outcome, RunResult& result);

}  // namespace ide::result
