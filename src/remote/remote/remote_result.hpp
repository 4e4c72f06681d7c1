// ResultService over the internal API: what a process that does not host the result module
// calls instead. Callers cannot tell it from the module itself.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <stop_token>

#include <boost/asio/thread_pool.hpp>

#include "remote/transport.hpp"
#include "result/result_service.hpp"

namespace ide::remote {

/// Thread-safe. Every method may also answer unavailable; all are retried (all are idempotent).
class RemoteResultService final : public result::ResultService {
 public:
  /// Long polls wait on `watch_threads` threads of its own, at most one poll per thread.
  explicit RemoteResultService(std::unique_ptr<Transport> transport,
                               std::size_t watch_threads = kDefaultWatchThreads);
  RemoteResultService(const RemoteResultService&) = delete;
  RemoteResultService& operator=(const RemoteResultService&) = delete;
  /// Ends the long polls in flight (their callbacks get unavailable) and joins the threads.
  ~RemoteResultService() override;

  core::Result<void> enqueue(std::string_view submission_id) override;
  core::Result<result::RunResult> get_result(std::string_view submission_id) override;
  /// The wait happens in the hosting process, which holds no thread for it; here it holds one of
  /// the watch threads, and waits at most kMaxWatch. A module that cannot be reached answers
  /// unavailable through `done`. Errors: unavailable when every watch thread is busy.
  core::Result<result::WatchHandle> watch_result(std::string_view submission_id,
                                                 std::chrono::milliseconds wait,
                                                 result::CallbackExecutor executor,
                                                 result::ResultCallback done) override;
  core::Result<void> check_runnable(std::string_view language,
                                    const core::RequestedLimits& limits) override;
  core::Result<std::vector<result::Language>> languages() override;
  core::Result<result::QueueStats> queue_stats() override;
  core::Result<result::PurgeOutcome> purge(const std::vector<std::string>& submission_ids) override;
  /// Blocks the caller for the wait, in the hosting process (only its own jobs are live there).
  core::Result<result::LiveOutput> read_live(std::string_view submission_id,
                                             std::uint64_t from_offset,
                                             std::chrono::milliseconds wait) override;
  /// Never retried: bytes sent twice would reach the program twice.
  core::Result<result::StdinReply> send_stdin(std::string_view submission_id,
                                              std::string_view bytes, bool close) override;

  static constexpr std::size_t kDefaultWatchThreads = 32;

 private:
  std::unique_ptr<Transport> transport_;
  const std::size_t max_watches_;
  std::atomic<std::size_t> watches_{0};
  std::stop_source stopping_;
  boost::asio::thread_pool watch_pool_;
};

}  // namespace ide::remote
