// Public interface of the result module: the queue, execution and outputs. The only header of it
// that others include.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/limits.hpp"

namespace ide::result {

/// A language the server can run (installed and probed at start).
struct Language {
  std::string id;       // "python"
  std::string name;     // "Python"
  std::string version;  // "3.11.2"
  // How other APIs name it (config/languages.json): the other names clients send ("py",
  // Piston's aliases), Judge0 CE's id, and Piston's runtime name where Piston gives one ("gcc").
  std::vector<std::string> aliases = {};
  std::optional<int> judge0_id = std::nullopt;
  std::string piston_runtime = {};
  bool compiled = false;  // it has a compile step
};

enum class Status { queued, running, done };

enum class Verdict {
  ok,
  compile_error,
  runtime_error,
  time_limit_exceeded,
  memory_limit_exceeded,
  output_limit_exceeded,
  internal_error,
  wrong_answer,  // ran well, but its stdout is not the submission's expected_stdout
};

inline constexpr std::array kAllVerdicts = {
    Verdict::ok,          Verdict::compile_error,         Verdict::runtime_error,
    Verdict::time_limit_exceeded, Verdict::memory_limit_exceeded, Verdict::output_limit_exceeded,
    Verdict::internal_error,      Verdict::wrong_answer};

// Inline so that layers linking only the interface target (http) can name statuses and verdicts.
inline std::string_view to_string(Status status) {
  switch (status) {
    case Status::queued:
      return "queued";
    case Status::running:
      return "running";
    case Status::done:
      return "done";
  }
  return "unknown";
}

inline std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::ok:
      return "ok";
    case Verdict::compile_error:
      return "compile_error";
    case Verdict::runtime_error:
      return "runtime_error";
    case Verdict::time_limit_exceeded:
      return "time_limit_exceeded";
    case Verdict::memory_limit_exceeded:
      return "memory_limit_exceeded";
    case Verdict::output_limit_exceeded:
      return "output_limit_exceeded";
    case Verdict::internal_error:
      return "internal_error";
    case Verdict::wrong_answer:
      return "wrong_answer";
  }
  return "unknown";
}

/// A submission's execution state. Outputs and measurements are meaningful only when done.
/// How one of a submission's test cases went (core::TestCase).
struct TestOutcome {
  std::string name;                           // the test's, or its number from 1
  Verdict verdict = Verdict::internal_error;  // ok means accepted
  std::int64_t time_ms = 0;                   // as RunResult's
  std::int64_t wall_ms = 0;
  std::int64_t memory_kb = 0;
  std::string stdout_data;  // the start of what the program printed (kTestStdoutBytes)
  bool stdout_truncated = false;
  std::string hint;  // where stdout departs from the expected one (core::difference_hint)
  // A hidden test's (core::TestCase::hidden): stdout and hint are then always empty.
  bool hidden = false;
};

/// How much of each test's stdout a result keeps.
inline constexpr std::size_t kTestStdoutBytes = 4096;

struct RunResult {
  std::string id;  // the submission id
  Status status = Status::queued;
  Verdict verdict = Verdict::internal_error;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string stdout_data;  // bytes as the program wrote them (up to the cap)
  std::string stderr_data;
  std::string compile_output;  // the compiler's stdout+stderr, empty for interpreted languages
  std::int64_t time_ms = 0;    // CPU time, all threads and children
  std::int64_t wall_ms = 0;
  std::int64_t memory_kb = 0;  // peak
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  core::TimePoint created_at;  // when the job was enqueued
  std::optional<core::TimePoint> finished_at;
  // One per test case of a submission that has them, in its order; then the fields above are
  // the first failed test's (or the last one's when all passed), time and memory the largest.
  // A hidden test's stdout and stderr are never kept, here either.
  std::vector<TestOutcome> tests = {};
};

using ResultCallback = std::function<void(core::Result<RunResult>)>;

/// Runs a task on a thread of the caller's choosing (the HTTP server's blocking pool, say).
using CallbackExecutor = std::function<void(std::function<void()>)>;

/// Cancels one watch_result(). Copies name the same watch; a default one names none.
class WatchHandle {
 public:
  WatchHandle() = default;
  explicit WatchHandle(std::shared_ptr<std::atomic<bool>> cancelled)
      : cancelled_(std::move(cancelled)) {}

  /// From now on the watch's callback is not called, unless it has already started.
  /// Idempotent; harmless once the callback ran.
  void cancel() const {
    if (cancelled_) cancelled_->store(true);
  }
  bool cancelled() const { return cancelled_ && cancelled_->load(); }

 private:
  std::shared_ptr<std::atomic<bool>> cancelled_;
};

/// What ResultService::purge() did.
struct PurgeOutcome {
  std::size_t purged = 0;            // ids whose job or result was removed
  std::vector<std::string> skipped;  // ids left alone because their job is queued or running
};

/// The shared queue now, as every worker process on it sees it (for /healthz).
struct QueueStats {
  std::size_t queued = 0;
  std::optional<std::int64_t> oldest_queued_age_ms;  // none when nothing is queued
  std::size_t live_leases = 0;                       // jobs running under a lease a worker renews
  std::size_t expired_leases = 0;  // running jobs whose worker stopped renewing: run again soon
};

/// Which output of the program a live chunk comes from.
enum class LiveStream { stdout_stream, stderr_stream };

inline std::string_view to_string(LiveStream stream) {
  return stream == LiveStream::stdout_stream ? "stdout" : "stderr";
}

/// Output of a running job, in the order it was read.
struct LiveChunk {
  LiveStream stream = LiveStream::stdout_stream;
  std::string bytes;
};

/// What read_live() answers: the chunks from the offset asked for, where to read on, and
/// whether the run is over (then get_result has its result, the stored output in full).
struct LiveOutput {
  std::vector<LiveChunk> chunks;
  std::uint64_t next_offset = 0;  // bytes of both streams together, from the run's start
  bool done = false;              // no chunk will follow next_offset
};

/// Longest wait read_live() honours; most output bytes one answer carries.
inline constexpr std::chrono::milliseconds kMaxLiveWait{5'000};
inline constexpr std::size_t kMaxLiveAnswerBytes = 64 * 1024;
/// Interactive stdin: most bytes per send_stdin() call, and in total per run (besides the
/// submission's stdin).
inline constexpr std::size_t kMaxStdinMessageBytes = 64 * 1024;
inline constexpr std::size_t kMaxInteractiveStdinBytes = 1024 * 1024;

enum class StdinReply {
  accepted,         // queued for the program's stdin
  not_found,        // no submission has this id
  not_interactive,  // its stdin is its stdin_data alone (not JobInput::interactive, or tests)
  not_started,      // queued: stdin can be sent once it runs
  ended,            // done, or its stdin was closed
  too_large,        // over kMaxStdinMessageBytes, or over kMaxInteractiveStdinBytes in total
};

inline std::string_view to_string(StdinReply reply) {
  switch (reply) {
    case StdinReply::accepted:
      return "accepted";
    case StdinReply::not_found:
      return "not_found";
    case StdinReply::not_interactive:
      return "not_interactive";
    case StdinReply::not_started:
      return "not_started";
    case StdinReply::ended:
      return "ended";
    case StdinReply::too_large:
      return "too_large";
  }
  return "unknown";
}

/// Runs submissions asynchronously and keeps their results. Thread-safe.
class ResultService {
 public:
  virtual ~ResultService() = default;

  /// Accepts submission `submission_id` for execution. Idempotent: a second call for the same id
  /// succeeds and changes nothing. The worker fetches code and stdin through the submission
  /// module when the job starts. Errors: queue_full, shutting_down, storage_unavailable.
  virtual core::Result<void> enqueue(std::string_view submission_id) = 0;

  /// The state of `submission_id` now. Errors: not_found, storage_unavailable.
  virtual core::Result<RunResult> get_result(std::string_view submission_id) = 0;

  /// The long poll: `done` gets the state of `submission_id` once, through `executor`, as soon
  /// as the job is done or after `wait` with its status then; at once (still through `executor`)
  /// when it is done already, unknown, or the module is stopping. Lookup errors (not_found,
  /// storage_unavailable) reach `done` too. The handle cancels the watch. Errors of the call
  /// itself mean `done` will never be called: none in process; unavailable for a remote module
  /// that cannot be asked.
  virtual core::Result<WatchHandle> watch_result(std::string_view submission_id,
                                                 std::chrono::milliseconds wait,
                                                 CallbackExecutor executor,
                                                 ResultCallback done) = 0;

  /// Whether a job in `language` with `limits` would be run: the language is served and each
  /// requested limit lies within 1 and its maximum. Callers check before they keep a submission.
  /// Errors: unknown_language (the message lists the served ones), invalid_limits.
  virtual core::Result<void> check_runnable(std::string_view language,
                                            const core::RequestedLimits& limits) = 0;

  /// The languages served, in catalogue order.
  virtual core::Result<std::vector<Language>> languages() = 0;

  /// The queue's depth, its oldest job's age and the leases. Errors: storage_unavailable.
  virtual core::Result<QueueStats> queue_stats() = 0;

  /// Removes the jobs and results of `submission_ids`; get_result answers not_found for them
  /// from then on. A job still queued or running is left untouched and listed in `skipped`, so
  /// the caller keeps what it needs to run. Unknown ids are ignored. The file keeps its size:
  /// freed pages are reused by later results. Errors: storage_unavailable, internal.
  virtual core::Result<PurgeOutcome> purge(const std::vector<std::string>& submission_ids) = 0;

  /// The live output of `submission_id` from `from_offset` on (at most kMaxLiveAnswerBytes),
  /// waiting up to `wait` (at most kMaxLiveWait) for some when there is none yet. The output is
  /// the run stage's, as the program writes it; a submission with tests streams nothing and is
  /// done when its result is. Only the process running the job has it: elsewhere a running job
  /// answers unavailable. A queued job answers no chunks. Errors: not_found, unavailable,
  /// storage_unavailable.
  virtual core::Result<LiveOutput> read_live(std::string_view submission_id,
                                             std::uint64_t from_offset,
                                             std::chrono::milliseconds wait) = 0;

  /// Appends `bytes` to the stdin of the running interactive job `submission_id`, and closes
  /// its stdin when `close` (after `bytes`). Not idempotent. Errors: unavailable (the job runs
  /// in another process), storage_unavailable.
  virtual core::Result<StdinReply> send_stdin(std::string_view submission_id,
                                              std::string_view bytes, bool close) = 0;
};

}  // namespace ide::result
