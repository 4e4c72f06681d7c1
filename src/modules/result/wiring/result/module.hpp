// Factory and lifecycle of the result module, used by the composition root (src/app) only.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/limits.hpp"
#include "result/job_source.hpp"
#include "result/result_service.hpp"

namespace ide::result {

/// What the result module is configured with (the composition root maps core::Config).
struct ResultOptions {
  std::filesystem::path data_dir = "data";  // results.db lives here (and the run boxes' key)
  std::filesystem::path languages_file = "config/languages.json";
  unsigned workers = 1;  // also the sandbox slots
  std::size_t max_queue = 1000;
  std::string store;  // empty: <data_dir>/results.db; or a postgresql:// URL shared by processes
  std::chrono::milliseconds job_lease{30'000};  // a claimed job runs again if not renewed
  core::LimitSettings limits;
  bool insecure_no_sandbox = false;  // run code without isolation (development only)
  unsigned run_cpu_weight = 50;      // runs' cgroup CPU weight; the server has 100
};

/// The result module's lifecycle around its service: workers start once their JobSource exists
/// and stop before it is destroyed.
class ResultModule {
 public:
  virtual ~ResultModule() = default;

  /// Thread-safe; valid until the module is destroyed.
  virtual ResultService& service() = 0;

  /// Starts `options.workers` workers, which fetch what they run from `jobs` (it must outlive
  /// stop()). Jobs left running by a crash are queued again.
  virtual void start(JobSource& jobs) = 0;

  /// Refuses new work (enqueue answers shutting_down), lets running jobs finish for up to
  /// `grace` (then kills them and leaves them queued for the next start), stops the workers.
  virtual void stop(std::chrono::milliseconds grace) = 0;

  /// One line per isolation feature in use, for the start-up log.
  virtual std::string isolation_summary() const = 0;
};

/// Opens (creating or migrating) <data_dir>/results.db or the PostgreSQL store, loads and probes
/// the language catalogue, and detects the isolation available. Errors: unavailable, with the
/// reason, when no usable isolation exists and options.insecure_no_sandbox is false.
core::Result<std::unique_ptr<ResultModule>> make_result_module(const ResultOptions& options,
                                                               const core::Clock& clock);

/// Where the module for `options` keeps its per-run work dirs (sandbox::default_boxes_dir of a
/// hash of the data dir's canonical path): the same for every start on that data dir.
std::filesystem::path boxes_dir_for(const ResultOptions& options);

/// `ide doctor`: each isolation feature and each language with its probed version, readable.
/// Also says whether `ide serve` would run code, and warns when the options are insecure.
std::string doctor_report(const ResultOptions& options);

}  // namespace ide::result
