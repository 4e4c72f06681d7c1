#include "run_metrics.hpp"

#include <vector>

namespace ide::result {

namespace {

/// Peak memory buckets: 1 MiB to 4 GiB, doubling.
std::vector<double> memory_buckets() {
  std::vector<double> bounds;
  for (double bytes = 1024.0 * 1024; bytes <= 4.0 * 1024 * 1024 * 1024; bytes *= 2) {
    bounds.push_back(bytes);
  }
  return bounds;
}

}  // namespace

RunMetrics::RunMetrics(core::metrics::Registry& registry)
    : runs_(registry.counter("ide_runs_total",
                             "Runs finished and stored, by language and verdict.",
                             {"language", "verdict"})),
      durations_(registry.histogram("ide_run_duration_seconds",
                                    "Wall-clock time of finished runs (compile and run).",
                                    {"language"}, core::metrics::duration_buckets())),
      memory_(registry.histogram("ide_run_memory_bytes", "Peak memory of finished runs.",
                                 {"language"}, memory_buckets())),
      sandbox_failures_(registry.counter(
          "ide_sandbox_failures_total",
          "Runs the sandbox failed: reason setup (no box could be opened) or run (the run ended "
          "as internal_error, e.g. the program could not be started).",
          {"reason"})) {
  // Shown as 0 from the start, so that a rate over them needs no first failure.
  sandbox_failures_.with({"setup"});
  sandbox_failures_.with({"run"});
}

void RunMetrics::record_run(const RunOutcome& outcome) {
  runs_.with({outcome.language, to_string(outcome.verdict)}).inc();
  durations_.with({outcome.language}).observe(static_cast<double>(outcome.wall_ms) / 1000.0);
  memory_.with({outcome.language}).observe(static_cast<double>(outcome.memory_kb) * 1024.0);
}

void RunMetrics::record_sandbox_failure(SandboxFailure failure) {
  sandbox_failures_.with({failure == SandboxFailure::setup ? "setup" : "run"}).inc();
}

}  // namespace ide::result
