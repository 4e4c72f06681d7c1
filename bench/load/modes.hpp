// The three modes of bench_load (see bench_load.cpp for the command line).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace ide::bench {

/// The seed workload, open loop: submits and reads of finished results at fixed rates.
struct SeedOptions {
  std::string url;
  double duration_s = 60;
  double submit_rate = 15;
  double read_rate = 15;
  int processes = 2;
  std::size_t code_bytes = 16384;
  std::size_t stdin_bytes = 1572864;
  int read_pool = 40;
  bool watch = false;  // long-poll each submission during the run (else after it)
  std::uint64_t seed = 1;
  int server_pid = 0;  // sample its VmRSS each second when set
  std::string sample_dir;
  std::string json_file;
};
int run_seed(const SeedOptions& options);

/// Closed loop through the server: each lane submits, waits for the result, checks it, repeats.
struct LanesOptions {
  std::string url;
  int lanes = 2;
  std::string language = "python";
  std::string code_file;
  std::optional<std::string> expect;  // the stdout a run must print
  double duration_s = 10;
  int runs = 0;  // stop after this many runs in all (0: after the duration)
  int warmup = 2;
  std::string json_file;
};
int run_lanes(const LanesOptions& options);

/// The reference for `lanes`: the same program run directly, lane by lane, no server.
struct BareOptions {
  int lanes = 2;
  std::string language = "python";
  std::string code_file;
  std::optional<std::string> expect;
  std::string command;  // a /bin/sh -c command instead of the language's own steps
  double duration_s = 10;
  int runs = 0;
  int warmup = 2;
  std::string json_file;
};
int run_bare(const BareOptions& options);

/// The built-in hello world of `language` ("python", "c") and what it prints.
struct Program {
  std::string source;
  std::string stdout_text;
};
std::optional<Program> hello_world(const std::string& language);

/// Writes `value` to `path` (pretty enough for a diff); false on failure.
bool write_json(const std::string& path, const boost::json::value& value);

}  // namespace ide::bench
