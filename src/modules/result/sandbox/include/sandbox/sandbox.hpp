// The sandbox: runs one untrusted command with Linux isolation, limits and measurements.
// Its own library (ide_sandbox), used only by the result module (and its tests/benchmarks).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"

namespace ide::sandbox {

/// What isolation this host offers, found out once at start.
struct IsolationReport {
  bool user_namespace = false;
  bool pid_namespace = false;
  bool net_namespace = false;
  bool mount_namespace = false;
  bool ipc_namespace = false;
  bool uts_namespace = false;
  bool cgroup_namespace = false;
  std::string cgroup_version;            // "v2", "v1" or "none"
  std::vector<std::string> controllers;  // e.g. memory, pids, cpuacct
  bool seccomp = false;
  std::string uid_range;                 // host uids the runs use, e.g. "60000-60007"
  bool usable = false;                   // enough for `serve` to run code safely
  std::string reason;                    // why not, when !usable
  /// Readable, one feature per line.
  std::string describe() const;
};

/// Probes the host. Never throws.
IsolationReport probe_isolation();

/// Where a server identified by `key` (a short file-name-safe text, e.g. a hash of its data dir)
/// keeps its boxes. As root: /run/ide-sandbox/boxes-<key>, or /run/ide-insecure-boxes-<key> for
/// an `insecure` sandbox (its runs, as slot uids on the host, pass through it). Otherwise
/// $XDG_RUNTIME_DIR/ide-boxes-<key> when that is set, else <temp dir>/ide-boxes-<euid>-<key>.
std::filesystem::path default_boxes_dir(std::string_view key, bool insecure);

struct SandboxOptions {
  // Where per-run work dirs live; never inside data_dir. make_sandbox creates what is missing
  // (mode 0700; 0711 when insecure as root) and refuses a path with a symlink, an ancestor others
  // could change, or a boxes dir not owned by the server's euid or that group or others can read
  // or write (docs/SANDBOX.md).
  std::filesystem::path boxes_dir;
  unsigned slots = 1;               // concurrent boxes (one uid and cgroup per slot)
  bool insecure = false;            // no namespaces/seccomp/cgroups: rlimits + process group only
  std::int64_t work_dir_bytes = 128 * 1024 * 1024;  // size cap of a box's work dir (all stages)
  std::int64_t tmp_bytes = 64 * 1024 * 1024;        // size cap of each stage's private /tmp
  // CPU weight of the runs against the server's default 100 (cgroup v2 cpu.weight, 1-10000; v1
  // cpu.shares = weight * 1024 / 100): under load the API keeps its share of the CPUs.
  unsigned run_cpu_weight = 50;
};

enum class OutputStream { stdout_stream, stderr_stream };

/// What a live channel hands the program's stdin next (LiveChannel::take_stdin).
struct StdinTake {
  std::string bytes;   // written after what came before, in order
  bool close = false;  // stdin ends once everything taken is written
};

/// Lets a caller watch a stage's output as it is read and feed its stdin while it runs. Called
/// only from the thread inside Box::run, between reads of the pipes: no call may block. The
/// stage's outcome is the same with a channel as without one.
class LiveChannel {
 public:
  virtual ~LiveChannel() = default;
  /// Each chunk of captured output, in order, as it is read: only bytes the outcome keeps.
  virtual void output(OutputStream stream, std::string_view bytes) = 0;
  /// Readable (poll) while take_stdin has something new; -1: stdin is not interactive, it is
  /// spec.stdin_data alone as without a channel.
  virtual int stdin_ready_fd() = 0;
  /// The bytes sent since the last call (after spec.stdin_data), and whether stdin is to close.
  virtual StdinTake take_stdin() = 0;
};

/// One stage (compile or run) of a job.
struct StageSpec {
  // argv[0] is an absolute path, or "./name" for a program in the work dir (the current
  // directory in both modes); there is no PATH search and no shell.
  std::vector<std::string> argv;
  std::vector<std::string> env;   // the whole environment ("KEY=value"); nothing is inherited
  std::string_view stdin_data;
  core::StageLimits limits;
  // Insecure mode only (secure mode limits memory with the run's cgroup, never the address
  // space): false for runtimes that reserve huge virtual memory (JVM, Go, Node).
  bool limit_address_space = true;
  // Set: output is also handed to it as it is read, and stdin may stay open (LiveChannel).
  LiveChannel* live = nullptr;
};

enum class Termination {
  exited,        // exit_code is set
  signaled,      // signal is set
  time_limit,    // CPU or wall-clock limit: killed
  memory_limit,  // the cgroup's OOM killer stopped it (a refused allocation is not this: the
                 // result module tells those from the program's stderr and peak memory)
  output_limit,  // stdout or stderr reached its cap: killed, what was captured is kept
  setup_failed,  // the sandbox could not start the program: see `error`
};

struct StageOutcome {
  Termination termination = Termination::setup_failed;
  int exit_code = 0;
  int signal = 0;
  std::string stdout_data;
  std::string stderr_data;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  std::int64_t cpu_ms = 0;     // all threads and children
  std::int64_t wall_ms = 0;
  std::int64_t memory_kb = 0;  // peak
  std::string error;           // setup_failed: why
};

/// A job's private workspace, kept across its stages (the compiler's output feeds the run).
/// Destroying it kills anything left and removes the work dir. Not thread-safe.
class Box {
 public:
  virtual ~Box() = default;
  /// Creates `name` (a plain file name) in the work dir with `content`.
  virtual core::Result<void> write_file(std::string_view name, std::string_view content) = 0;
  /// Runs `spec` with the work dir as its current directory; blocks until it ends.
  virtual StageOutcome run(const StageSpec& spec) = 0;
  /// The unprivileged host uid (and gid) the box's programs run as; never 0 in secure mode.
  virtual std::uint32_t host_uid() const = 0;
  /// Unlike the rest, callable from another thread while run() blocks: kills the running stage so
  /// that run() returns soon, and makes later run() calls return at once (the server is stopping).
  /// The default does nothing: the stage then ends at its own limits.
  virtual void cancel() {}
};

/// Thread-safe: each worker opens boxes on its own slot.
class Sandbox {
 public:
  virtual ~Sandbox() = default;
  /// A fresh box on `slot` (< options.slots). At most one open box per slot at a time.
  virtual core::Result<std::unique_ptr<Box>> open_box(unsigned slot) = 0;
  virtual const IsolationReport& isolation() const = 0;
};

/// Errors: unavailable (with the reason) when isolation is not usable and !options.insecure.
core::Result<std::unique_ptr<Sandbox>> make_sandbox(const SandboxOptions& options);

}  // namespace ide::sandbox
