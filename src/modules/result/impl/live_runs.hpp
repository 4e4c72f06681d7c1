// Live output and interactive stdin of the jobs this process runs (ResultService::read_live and
// send_stdin). In memory only: another process running a job cannot be asked through these.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "result/result_service.hpp"
#include "sandbox/sandbox.hpp"

namespace ide::result {

/// One running job's output as the sandbox reads it, and its pending interactive stdin. The
/// worker's sandbox calls the LiveChannel side; readers and senders call from any thread.
class LiveRun final : public sandbox::LiveChannel {
 public:
  /// Keeps at most `max_bytes` of output: beyond, the oldest chunks are dropped and a reader
  /// behind them goes on from the oldest kept (the stored result keeps everything).
  explicit LiveRun(std::size_t max_bytes);
  LiveRun(const LiveRun&) = delete;
  LiveRun& operator=(const LiveRun&) = delete;
  ~LiveRun() override;

  /// The job's input is known: from now on send() accepts stdin when `interactive`.
  void start(bool interactive);
  /// The job is over (its result stored, or it went back to the queue): readers are answered.
  void finish();

  LiveOutput read(std::uint64_t from_offset, std::chrono::milliseconds wait);
  StdinReply send(std::string_view bytes, bool close);

  void output(sandbox::OutputStream stream, std::string_view bytes) override;
  int stdin_ready_fd() override;
  sandbox::StdinTake take_stdin() override;

 private:
  struct Chunk {
    std::uint64_t offset = 0;
    LiveChunk chunk;
  };
  LiveOutput collect_locked(std::uint64_t from_offset) const;

  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> chunks_;
  std::size_t kept_bytes_ = 0;
  std::uint64_t end_offset_ = 0;
  bool started_ = false;
  bool interactive_ = false;
  bool done_ = false;
  int ready_fd_ = -1;  // an eventfd, readable while stdin bytes or a close are pending
  std::string stdin_pending_;
  std::size_t stdin_total_ = 0;
  bool stdin_close_ = false;
};

/// The live runs of this process by submission id. A finished run lingers a little (at most
/// kLingering of them) so that a reader behind still gets its last chunks.
class LiveRuns {
 public:
  static constexpr std::size_t kLingering = 32;
  static constexpr std::chrono::seconds kLinger{10};

  /// A fresh run for `id` (replacing one left by an earlier attempt).
  std::shared_ptr<LiveRun> begin(const std::string& id, std::size_t max_bytes);
  /// Finishes the run of `id`; it lingers when `result_stored`, else it is forgotten.
  void end(const std::string& id, bool result_stored);
  std::shared_ptr<LiveRun> find(std::string_view id);
  /// The run of `id`, waiting up to `wait` for it to begin.
  std::shared_ptr<LiveRun> wait_for(std::string_view id, std::chrono::milliseconds wait);

 private:
  using SteadyClock = std::chrono::steady_clock;
  struct Entry {
    std::shared_ptr<LiveRun> run;
    std::optional<SteadyClock::time_point> ended;
  };
  void forget_old_locked();

  std::mutex mutex_;
  std::condition_variable begun_;
  std::map<std::string, Entry, std::less<>> runs_;
};

}  // namespace ide::result
