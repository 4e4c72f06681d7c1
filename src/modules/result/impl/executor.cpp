#include "executor.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "core/log.hpp"

namespace ide::result {

namespace {

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

constexpr std::string_view kWhitespace = " \t\r\n\v\f";

/// `text` with each line's trailing whitespace and the whole's surrounding whitespace gone.
std::string normalized_output(std::string_view text) {
  std::string lines;
  lines.reserve(text.size());
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    const std::size_t last = line.find_last_not_of(kWhitespace);
    if (last != std::string_view::npos) lines.append(line.substr(0, last + 1));
    lines += '\n';
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  const std::size_t first = lines.find_first_not_of(kWhitespace);
  if (first == std::string::npos) return {};
  return lines.substr(first, lines.find_last_not_of(kWhitespace) - first + 1);
}

}  // namespace

bool stdout_matches(std::string_view actual, std::string_view expected) {
  return normalized_output(actual) == normalized_output(expected);
}

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
                            sandbox::Box& box) const {
  RunResult result;
  result.id = job.id;
  if (auto written = box.write_file(language.source, job.code); !written) {
    internal_error(result,
                   fmt::format("cannot write the source file: {}", written.error().message));
    return result;
  }
  const std::vector<std::string> env = program_environment(language);
  if (!language.compile.empty()) {
    sandbox::StageSpec compile{.argv = language.compile,
                               .env = env,
                               .stdin_data = {},
                               .limits = limits_.compile,
                               .limit_address_space = language.limit_address_space};
    const sandbox::StageOutcome outcome = box.run(compile);
    if (!apply_compile_outcome(outcome, result)) return result;
  }
  std::vector<std::string> argv = language.run;
  argv.insert(argv.end(), job.args.begin(), job.args.end());
  sandbox::StageSpec run{.argv = std::move(argv),
                         .env = env,
                         .stdin_data = job.stdin_data,
                         .limits = limits_.run_limits(job.limits),
                         .limit_address_space = language.limit_address_space};
  const RunVerdictRules rules{.truncate_output_only = limits_.truncate_output_only,
                              .memory_limit_kb = run.limits.memory_kb,
                              .out_of_memory_markers = language.out_of_memory_markers};
  apply_run_outcome(box.run(run), rules, result);
  if (result.verdict == Verdict::ok && job.expected_stdout &&
      !stdout_matches(result.stdout_data, *job.expected_stdout)) {
    result.verdict = Verdict::wrong_answer;
  }
  if (result.verdict == Verdict::internal_error) {
    core::log::warn("submission {}: {}", job.id, result.stderr_data);
  }
  return result;
}

}  // namespace ide::result
