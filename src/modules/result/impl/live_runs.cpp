#include "live_runs.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace ide::result {

namespace {

LiveStream to_live(sandbox::OutputStream stream) {
  return stream == sandbox::OutputStream::stdout_stream ? LiveStream::stdout_stream
                                                        : LiveStream::stderr_stream;
}

void signal_ready(int fd) {
  const std::uint64_t one = 1;
  (void)!write(fd, &one, sizeof one);
}

}  // namespace

LiveRun::LiveRun(std::size_t max_bytes) : max_bytes_(std::max<std::size_t>(max_bytes, 1)) {}

LiveRun::~LiveRun() {
  if (ready_fd_ >= 0) close(ready_fd_);
}

void LiveRun::start(bool interactive) {
  std::lock_guard lock(mutex_);
  started_ = true;
  // Without an eventfd the sandbox gives the program its stdin_data alone, as without a channel.
  if (interactive) ready_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  interactive_ = ready_fd_ >= 0;
}

void LiveRun::finish() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  changed_.notify_all();
}

void LiveRun::output(sandbox::OutputStream stream, std::string_view bytes) {
  {
    std::lock_guard lock(mutex_);
    chunks_.push_back({end_offset_, {to_live(stream), std::string(bytes)}});
    end_offset_ += bytes.size();
    kept_bytes_ += bytes.size();
    while (kept_bytes_ > max_bytes_ && chunks_.size() > 1) {
      kept_bytes_ -= chunks_.front().chunk.bytes.size();
      chunks_.pop_front();
    }
  }
  changed_.notify_all();
}

LiveOutput LiveRun::read(std::uint64_t from_offset, std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::clamp(wait, std::chrono::milliseconds(0), kMaxLiveWait),
                    [&] { return done_ || end_offset_ > from_offset; });
  return collect_locked(from_offset);
}

LiveOutput LiveRun::collect_locked(std::uint64_t from_offset) const {
  LiveOutput answer;
  std::uint64_t at = std::min(from_offset, end_offset_);
  if (!chunks_.empty()) at = std::max(at, chunks_.front().offset);
  std::size_t given = 0;
  for (const Chunk& kept : chunks_) {
    const std::uint64_t end = kept.offset + kept.chunk.bytes.size();
    if (end <= at) continue;
    if (given >= kMaxLiveAnswerBytes) break;
    const std::size_t skip = static_cast<std::size_t>(at - kept.offset);
    const std::size_t take = std::min(kept.chunk.bytes.size() - skip, kMaxLiveAnswerBytes - given);
    answer.chunks.push_back({kept.chunk.stream, kept.chunk.bytes.substr(skip, take)});
    given += take;
    at += take;
  }
  answer.next_offset = at;
  answer.done = done_ && at == end_offset_;
  return answer;
}

StdinReply LiveRun::send(std::string_view bytes, bool close) {
  std::lock_guard lock(mutex_);
  if (done_) return StdinReply::ended;
  if (!started_) return StdinReply::not_started;
  if (!interactive_) return StdinReply::not_interactive;
  if (stdin_close_) return StdinReply::ended;
  if (bytes.size() > kMaxStdinMessageBytes ||
      stdin_total_ + bytes.size() > kMaxInteractiveStdinBytes) {
    return StdinReply::too_large;
  }
  stdin_pending_ += bytes;
  stdin_total_ += bytes.size();
  stdin_close_ = close;
  signal_ready(ready_fd_);
  return StdinReply::accepted;
}

int LiveRun::stdin_ready_fd() {
  std::lock_guard lock(mutex_);
  return interactive_ ? ready_fd_ : -1;
}

sandbox::StdinTake LiveRun::take_stdin() {
  std::lock_guard lock(mutex_);
  std::uint64_t count = 0;
  (void)!::read(ready_fd_, &count, sizeof count);
  return {std::exchange(stdin_pending_, {}), stdin_close_};
}

std::shared_ptr<LiveRun> LiveRuns::begin(const std::string& id, std::size_t max_bytes) {
  auto run = std::make_shared<LiveRun>(max_bytes);
  {
    std::lock_guard lock(mutex_);
    forget_old_locked();
    runs_[id] = Entry{run, std::nullopt};
  }
  begun_.notify_all();
  return run;
}

void LiveRuns::end(const std::string& id, bool result_stored) {
  std::shared_ptr<LiveRun> run;
  {
    std::lock_guard lock(mutex_);
    auto it = runs_.find(id);
    if (it == runs_.end()) return;
    run = it->second.run;
    if (result_stored) {
      it->second.ended = SteadyClock::now();
    } else {
      runs_.erase(it);
    }
  }
  run->finish();
}

std::shared_ptr<LiveRun> LiveRuns::find(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto it = runs_.find(id);
  return it == runs_.end() ? nullptr : it->second.run;
}

std::shared_ptr<LiveRun> LiveRuns::wait_for(std::string_view id, std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  begun_.wait_for(lock, wait, [&] { return runs_.find(id) != runs_.end(); });
  auto it = runs_.find(id);
  return it == runs_.end() ? nullptr : it->second.run;
}

void LiveRuns::forget_old_locked() {
  const auto now = SteadyClock::now();
  std::vector<std::pair<SteadyClock::time_point, std::string>> ended;
  for (auto it = runs_.begin(); it != runs_.end();) {
    if (it->second.ended && now - *it->second.ended > kLinger) {
      it = runs_.erase(it);
    } else {
      if (it->second.ended) ended.emplace_back(*it->second.ended, it->first);
      ++it;
    }
  }
  if (ended.size() < kLingering) return;
  std::sort(ended.begin(), ended.end());
  for (std::size_t i = 0; i + kLingering <= ended.size(); ++i) runs_.erase(ended[i].second);
}

}  // namespace ide::result
