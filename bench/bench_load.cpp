// bench_load: the load generator of scripts/bench.sh (issue 8). Three modes:
//
//   bench_load seed  --url http://127.0.0.1:PORT [--duration 60] [--submit-rate 15] [--read-rate 15]
//                    [--processes 2] [--code-bytes 16384] [--stdin-bytes 1572864] [--read-pool 40]
//                    [--watch] [--seed 1] [--server-pid PID] [--sample-dir DIR] [--json FILE]
//       the seed workload, open loop: P forked client processes, each with its own io_context and
//       keep-alive connections, send rate/P submits and reads per second on a fixed schedule
//       (request i of process k is due at t0 + (k + i*P)/rate); latency counts from the due time.
//       Every body is encoded before the clock. Each read fetches a finished result (the pool
//       seeded before the clock, plus this run's submissions known to be done) and checks it;
//       after the clock every submission is awaited and checked. Non-zero exit on any error.
//   bench_load lanes --url URL [--lanes 2] [--language python|c] [--code-file F --expect TEXT]
//                    [--duration 10 | --runs N] [--warmup 2] [--json FILE]
//       closed loop through the server: submit, long-poll the result, check, repeat; runs/s.
//   bench_load bare  [--lanes 2] [--language python|c] [--code-file F --expect TEXT]
//                    [--command 'SH CMD'] [--duration 10 | --runs N] [--warmup 2] [--json FILE]
//       the reference for lanes: the same program (gcc -O2 -pipe -o main main.c -lm and ./main
//       for C, python3 main.py for Python) run directly in a temp dir per lane; runs/s.
#include <CLI/CLI.hpp>

#include "load/modes.hpp"

namespace {

using namespace ide::bench;

void add_seed(CLI::App& app, SeedOptions& o) {
  app.add_option("--url", o.url, "The server, http://HOST:PORT")->required();
  app.add_option("--duration", o.duration_s, "Seconds of load")->capture_default_str();
  app.add_option("--submit-rate", o.submit_rate, "Submits per second, all processes")->capture_default_str();
  app.add_option("--read-rate", o.read_rate, "Result reads per second, all processes")->capture_default_str();
  app.add_option("--processes", o.processes, "Client processes")->capture_default_str()->check(CLI::Range(1, 64));
  app.add_option("--code-bytes", o.code_bytes, "Size of the program")->capture_default_str();
  app.add_option("--stdin-bytes", o.stdin_bytes, "Size of each stdin (and of its stdout)")->capture_default_str();
  app.add_option("--read-pool", o.read_pool, "Finished results seeded before the clock")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_flag("--watch", o.watch, "Long-poll each submission during the run (adds its result fetch to the load)");
  app.add_option("--seed", o.seed, "Seed of the inputs")->capture_default_str();
  app.add_option("--server-pid", o.server_pid, "Sample this process's VmRSS each second");
  app.add_option("--sample-dir", o.sample_dir, "Write one submission's code.py, stdin.txt, stdout.txt here");
  app.add_option("--json", o.json_file, "Write the report as JSON");
}

template <typename Options>
void add_lane_options(CLI::App& app, Options& o) {
  app.add_option("--lanes", o.lanes, "Parallel lanes")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--language", o.language, "python or c (built-in hello world)")->capture_default_str();
  app.add_option("--code-file", o.code_file, "Run this source instead of the hello world");
  app.add_option("--expect", o.expect, "The stdout each run must print (with --code-file)");
  app.add_option("--duration", o.duration_s, "Seconds of runs after the warm-up")->capture_default_str();
  app.add_option("--runs", o.runs, "Stop after this many runs in all instead");
  app.add_option("--warmup", o.warmup, "Uncounted runs per lane first")->capture_default_str();
  app.add_option("--json", o.json_file, "Write the report as JSON");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("bench_load: the load generator and execution references of scripts/bench.sh");
  app.require_subcommand(1);
  SeedOptions seed;
  LanesOptions lanes;
  BareOptions bare;
  add_seed(*app.add_subcommand("seed", "The seed workload, open loop, every answer checked"), seed);
  CLI::App* lanes_app = app.add_subcommand("lanes", "Closed-loop runs through the server");
  lanes_app->add_option("--url", lanes.url, "The server, http://HOST:PORT")->required();
  add_lane_options(*lanes_app, lanes);
  CLI::App* bare_app = app.add_subcommand("bare", "The same runs without the server (the reference)");
  add_lane_options(*bare_app, bare);
  bare_app->add_option("--command", bare.command, "Run /bin/sh -c COMMAND instead");
  CLI11_PARSE(app, argc, argv);

  if (app.got_subcommand("seed")) return run_seed(seed);
  if (app.got_subcommand("lanes")) return run_lanes(lanes);
  return run_bare(bare);
}
