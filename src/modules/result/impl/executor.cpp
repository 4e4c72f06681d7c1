#include "executor.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/log.hpp"
#include "core/test_cases.hpp"

namespace ide::result {

namespace {

/// A test's name, or its number from 1.
std::string test_name(const core::TestCase& test, std::size_t index) {
  return test.name.empty() ? std::to_string(index + 1) : test.name;
}

/// After a failed compile each test has the compile's verdict, so that a table lists them all.
void mark_tests_not_run(const JobInput& job, RunResult& result) {
  for (std::size_t i = 0; i < job.tests.size(); ++i) {
    const core::TestCase& test = job.tests[i];
    result.tests.push_back({.name = test_name(test, i),
                            .verdict = result.verdict,
                            .stdout_data = {},
                            .hint = {},
                            .hidden = test.hidden});
  }
}

void take_measurements(const sandbox::StageOutcome& outcome, RunResult& result) {
  result.time_ms = outcome.cpu_ms;
  result.wall_ms = outcome.wall_ms;
  result.memory_kb = outcome.memory_kb;
}

void internal_error(RunResult& result, std::string_view reason) {
  result.verdict = Verdict::internal_error;
  result.stderr_data = fmt::format("ide: internal error: {}\n", reason);
}

/// Why a compile stage that did not exit by itself stopped, for the compile output.
std::string_view compile_stop_note(sandbox::Termination termination) {
  switch (termination) {
    case sandbox::Termination::time_limit:
      return "compilation exceeded the time limit";
    case sandbox::Termination::memory_limit:
      return "compilation exceeded the memory limit";
    case sandbox::Termination::output_limit:
      return "the compiler's output exceeded the limit";
    case sandbox::Termination::signaled:
      return "the compiler was killed by a signal";
    default:
      return "";
  }
}

/// The run failed because an allocation was refused (see apply_run_outcome).
bool ran_out_of_memory(const sandbox::StageOutcome& outcome, const RunVerdictRules& rules) {
  const bool failed =
      (outcome.termination == sandbox::Termination::exited && outcome.exit_code != 0) ||
      outcome.termination == sandbox::Termination::signaled;
  if (!failed) return false;
  if (rules.memory_limit_kb > 0 && outcome.memory_kb >= rules.memory_limit_kb) return true;
  return std::any_of(rules.out_of_memory_markers.begin(), rules.out_of_memory_markers.end(),
                     [&](const std::string& marker) {
                       return outcome.stderr_data.find(marker) != std::string::npos;
                     });
}

}  // namespace

bool apply_compile_outcome(const sandbox::StageOutcome& outcome, RunResult& result) {
  if (outcome.termination == sandbox::Termination::setup_failed) {
    take_measurements(outcome, result);
    internal_error(result, fmt::format("the compiler could not be started: {}", outcome.error));
    return false;
  }
  result.compile_output = outcome.stdout_data + outcome.stderr_data;
  if (outcome.termination == sandbox::Termination::exited && outcome.exit_code == 0) return true;
  take_measurements(outcome, result);
  result.verdict = Verdict::compile_error;
  if (const std::string_view note = compile_stop_note(outcome.termination); !note.empty()) {
    if (!result.compile_output.empty() && result.compile_output.back() != '\n') {
      result.compile_output += '\n';
    }
    result.compile_output += fmt::format("ide: {}\n", note);
  }
  return false;
}

void apply_run_outcome(sandbox::StageOutcome outcome, const RunVerdictRules& rules,
                       RunResult& result) {
  take_measurements(outcome, result);
  const bool out_of_memory = ran_out_of_memory(outcome, rules);
  result.stdout_data = std::move(outcome.stdout_data);
  result.stderr_data = std::move(outcome.stderr_data);
  result.stdout_truncated = outcome.stdout_truncated;
  result.stderr_truncated = outcome.stderr_truncated;
  switch (outcome.termination) {
    case sandbox::Termination::exited:
      result.exit_code = outcome.exit_code;
      result.verdict = outcome.exit_code == 0 ? Verdict::ok : Verdict::runtime_error;
      break;
    case sandbox::Termination::signaled:
      result.signal = outcome.signal;
      result.verdict = Verdict::runtime_error;
      break;
    case sandbox::Termination::time_limit:
      result.verdict = Verdict::time_limit_exceeded;
      break;
    case sandbox::Termination::memory_limit:
      result.verdict = Verdict::memory_limit_exceeded;
      break;
    case sandbox::Termination::output_limit:
      result.verdict = rules.truncate_output_only ? Verdict::ok : Verdict::output_limit_exceeded;
      break;
    case sandbox::Termination::setup_failed:
      internal_error(result, fmt::format("the program could not be started: {}", outcome.error));
      break;
  }
  if (out_of_memory) result.verdict = Verdict::memory_limit_exceeded;
}

RunResult Executor::execute(const LanguageSpec& language, const JobInput& job,
                            sandbox::Box& box, sandbox::LiveChannel* live) const {
  RunResult result;
  result.id = job.id;
  if (auto written = box.write_file(language.source, job.code); !written) {
    internal_error(result,
                   fmt::format("cannot write the source file: {}", written.error().message));
    return result;
  }
  if (!language.compile.empty()) {
    sandbox::StageSpec compile{.argv = language.compile,
                               .env = program_environment(language),
                               .stdin_data = {},
                               .limits = limits_.compile,
                               .limit_address_space = language.limit_address_space};
    const sandbox::StageOutcome outcome = box.run(compile);
    if (!apply_compile_outcome(outcome, result)) {
      mark_tests_not_run(job, result);
      return result;
    }
  }
  if (job.tests.empty()) {
    run_program(language, job, job.stdin_data, job.limits, box, result, live);
    const core::Comparison judge0_rule{core::CompareMode::trim_trailing};
    if (result.verdict == Verdict::ok && job.expected_stdout &&
        !core::outputs_match(result.stdout_data, *job.expected_stdout, judge0_rule)) {
      result.verdict = Verdict::wrong_answer;
    }
  } else {
    run_tests(language, job, box, result);
  }
  if (result.verdict == Verdict::internal_error) {
    core::log::warn("submission {}: {}", job.id, result.stderr_data);
  }
  return result;
}

void Executor::run_program(const LanguageSpec& language, const JobInput& job,
                           const std::string& stdin_data, const core::RequestedLimits& limits,
                           sandbox::Box& box, RunResult& result,
                           sandbox::LiveChannel* live) const {
  std::vector<std::string> argv = language.run;
  argv.insert(argv.end(), job.args.begin(), job.args.end());
  sandbox::StageSpec run{.argv = std::move(argv),
                         .env = program_environment(language),
                         .stdin_data = stdin_data,
                         .limits = limits_.run_limits(limits),
                         .limit_address_space = language.limit_address_space,
                         .live = live};
  const RunVerdictRules rules{.truncate_output_only = limits_.truncate_output_only,
                              .memory_limit_kb = run.limits.memory_kb,
                              .out_of_memory_markers = language.out_of_memory_markers};
  apply_run_outcome(box.run(run), rules, result);
}

void Executor::run_tests(const LanguageSpec& language, const JobInput& job, sandbox::Box& box,
                         RunResult& result) const {
  std::optional<RunResult> shown;  // the first failed test's run, else the last one's
  for (std::size_t i = 0; i < job.tests.size(); ++i) {
    const core::TestCase& test = job.tests[i];
    core::RequestedLimits limits = job.limits;
    if (test.cpu_ms) limits.cpu_ms = test.cpu_ms;
    if (test.wall_ms) limits.wall_ms = test.wall_ms;
    RunResult run;
    run_program(language, job, test.stdin_data, limits, box, run);
    TestOutcome outcome = judge_test(test, i, run, job.compare);
    run.verdict = outcome.verdict;
    if (test.hidden) {
      // What a program prints on a hidden input would reveal it.
      run.stdout_data.clear();
      run.stderr_data.clear();
      run.stdout_truncated = run.stderr_truncated = false;
    }
    result.time_ms = std::max(result.time_ms, run.time_ms);
    result.wall_ms = std::max(result.wall_ms, run.wall_ms);
    result.memory_kb = std::max(result.memory_kb, run.memory_kb);
    result.tests.push_back(std::move(outcome));
    if (!shown || shown->verdict == Verdict::ok) shown = std::move(run);
  }
  result.verdict = shown->verdict;
  result.exit_code = shown->exit_code;
  result.signal = shown->signal;
  result.stdout_data = std::move(shown->stdout_data);
  result.stderr_data = std::move(shown->stderr_data);
  result.stdout_truncated = shown->stdout_truncated;
  result.stderr_truncated = shown->stderr_truncated;
}

TestOutcome judge_test(const core::TestCase& test, std::size_t index, const RunResult& run,
                       const core::Comparison& compare) {
  TestOutcome outcome{.name = test_name(test, index),
                      .verdict = run.verdict,
                      .time_ms = run.time_ms,
                      .wall_ms = run.wall_ms,
                      .memory_kb = run.memory_kb,
                      .stdout_data = run.stdout_data.substr(0, kTestStdoutBytes),
                      .stdout_truncated =
                          run.stdout_truncated || run.stdout_data.size() > kTestStdoutBytes,
                      .hint = {}};
  if (run.verdict == Verdict::ok) {
    outcome.hint = core::difference_hint(run.stdout_data, test.expected_stdout, compare);
    if (!outcome.hint.empty()) outcome.verdict = Verdict::wrong_answer;
  }
  if (test.hidden) {
    outcome.hidden = true;
    outcome.stdout_data.clear();
    outcome.stdout_truncated = false;
    outcome.hint.clear();
  }
  return outcome;
}

}  // namespace ide::result
