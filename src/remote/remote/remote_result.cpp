#include "remote/remote_result.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>

#include "core/json.hpp"
#include "remote/answer.hpp"
#include "remote/live_codec.hpp"

namespace ide::remote {

namespace json = boost::json;

RemoteResultService::RemoteResultService(std::unique_ptr<Transport> transport,
                                         std::size_t watch_threads)
    : transport_(std::move(transport)),
      max_watches_(std::max<std::size_t>(1, watch_threads)),
      watch_pool_(max_watches_) {}

RemoteResultService::~RemoteResultService() {
  stopping_.request_stop();
  watch_pool_.join();
}

core::Result<void> RemoteResultService::enqueue(std::string_view submission_id) {
  // Idempotent by contract: a second enqueue of the same id changes nothing.
  return decode_void(
      transport_->call("enqueue", json::object{{"id", submission_id}}, Retry::idempotent));
}

core::Result<result::RunResult> RemoteResultService::get_result(std::string_view submission_id) {
  return decode_answer<result::RunResult>(
      transport_->call("get_result", json::object{{"id", submission_id}}, Retry::idempotent));
}

core::Result<result::WatchHandle> RemoteResultService::watch_result(
    std::string_view submission_id, std::chrono::milliseconds wait,
    result::CallbackExecutor executor, result::ResultCallback done) {
  // A poll that had to queue for a thread would outlast the wait its caller asked for.
  if (watches_.fetch_add(1) >= max_watches_) {
    watches_.fetch_sub(1);
    return core::fail(
        core::ErrorCode::unavailable,
        "too many long polls waiting on the result module at " + transport_->base_url());
  }
  // A shorter wait than asked is answered with the status then, which callers ask about again.
  wait = std::clamp(wait, std::chrono::milliseconds(0), kMaxWatch);
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  result::WatchHandle handle(cancelled);
  const json::object args{{"id", submission_id}, {"wait_ms", wait.count()}};
  boost::asio::post(watch_pool_, [this, args, wait, handle, executor = std::move(executor),
                                  done = std::move(done)]() mutable {
    auto answer = decode_answer<result::RunResult>(
        transport_->call("watch_result", args, Retry::idempotent, wait, stopping_.get_token()));
    watches_.fetch_sub(1);
    if (handle.cancelled()) return;
    executor([handle, done = std::move(done), answer = std::move(answer)]() mutable {
      if (!handle.cancelled()) done(std::move(answer));
    });
  });
  return handle;
}

core::Result<void> RemoteResultService::check_runnable(std::string_view language,
                                                       const core::RequestedLimits& limits) {
  return decode_void(transport_->call(
      "check_runnable", json::object{{"language", language}, {"limits", to_json(limits)}},
      Retry::idempotent));
}

core::Result<std::vector<result::Language>> RemoteResultService::languages() {
  return decode_answer<std::vector<result::Language>>(
      transport_->call("languages", json::object(), Retry::idempotent));
}

core::Result<result::QueueStats> RemoteResultService::queue_stats() {
  return decode_answer<result::QueueStats>(
      transport_->call("queue_stats", json::object(), Retry::idempotent));
}

core::Result<result::PurgeOutcome> RemoteResultService::purge(
    const std::vector<std::string>& submission_ids) {
  return decode_answer<result::PurgeOutcome>(transport_->call(
      "purge", json::object{{"ids", json::value_from(submission_ids)}}, Retry::idempotent));
}

core::Result<result::LiveOutput> RemoteResultService::read_live(std::string_view submission_id,
                                                                std::uint64_t from_offset,
                                                                std::chrono::milliseconds wait) {
  wait = std::clamp(wait, std::chrono::milliseconds(0), result::kMaxLiveWait);
  const json::object args{
      {"id", submission_id}, {"from_offset", from_offset}, {"wait_ms", wait.count()}};
  return decode_answer<result::LiveOutput>(
      transport_->call("read_live", args, Retry::idempotent, wait, stopping_.get_token()));
}

core::Result<result::StdinReply> RemoteResultService::send_stdin(std::string_view submission_id,
                                                                 std::string_view bytes,
                                                                 bool close) {
  const json::object args{
      {"id", submission_id}, {"bytes", core::json::bytes_to_json(bytes)}, {"close", close}};
  return decode_answer<result::StdinReply>(
      transport_->call("send_stdin", args, Retry::never));
}

}  // namespace ide::remote
