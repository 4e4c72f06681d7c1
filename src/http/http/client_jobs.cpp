#include "http/client_jobs.hpp"

#include <functional>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

namespace ide::http {

struct ClientJobLimit::State {
  State(result::ResultService& r, std::size_t max, std::chrono::milliseconds w)
      : results(r), max_per_client(max), watch(w) {}

  void release(const std::string& client) {
    std::lock_guard lock(mutex);
    auto it = counts.find(client);
    if (it == counts.end()) return;
    // Clients with nothing unfinished are forgotten, so the table holds only active clients.
    if (--it->second == 0) counts.erase(it);
  }

  result::ResultService& results;
  const std::size_t max_per_client;
  const std::chrono::milliseconds watch;
  mutable std::mutex mutex;
  std::unordered_map<std::string, std::size_t> counts;
};

namespace {

using SteadyClock = std::chrono::steady_clock;

/// Runs the answer on the module's thread: it only counts, or asks again without waiting.
void run_inline(std::function<void()> task) { task(); }

/// Holds `client`'s place until `submission_id` is done.
void watch_job(const std::shared_ptr<ClientJobLimit::State>& state, const std::string& client,
               const std::string& submission_id) {
  const SteadyClock::time_point asked = SteadyClock::now();
  auto watched = state->results.watch_result(
      submission_id, state->watch, run_inline,
      [state, client, submission_id, asked](core::Result<result::RunResult> answer) {
        const bool unfinished = answer && answer->status != result::Status::done;
        // An unfinished answer before the wait ran out means the module is stopping: asking
        // again would be answered at once, forever. Not found: the job is gone or was never
        // handed off; either way nothing runs for this client.
        if (unfinished && SteadyClock::now() - asked >= state->watch) {
          return watch_job(state, client, submission_id);
        }
        state->release(client);
      });
  // Never answered: nothing will say when the job ends, so it holds no place.
  if (!watched) state->release(client);
}

}  // namespace

ClientJobLimit::ClientJobLimit(result::ResultService& results, std::size_t max_per_client,
                               std::chrono::milliseconds watch)
    : state_(std::make_shared<State>(results, max_per_client, watch)) {}

ClientJobLimit::Slot::Slot(std::shared_ptr<State> state, std::string client)
    : state_(std::move(state)), client_(std::move(client)) {}

ClientJobLimit::Slot::~Slot() {
  if (state_) state_->release(client_);
}

void ClientJobLimit::Slot::commit(const std::string& submission_id) {
  if (!state_) return;
  const std::shared_ptr<State> state = std::move(state_);
  watch_job(state, client_, submission_id);
}

core::Result<ClientJobLimit::Slot> ClientJobLimit::reserve(const std::string& client) {
  return reserve(client, 0, "client");
}

core::Result<ClientJobLimit::Slot> ClientJobLimit::reserve(const std::string& key,
                                                           std::size_t cap,
                                                           std::string_view holder) {
  const std::size_t max = cap == 0 ? state_->max_per_client : cap;
  // Without a cap nothing is counted, so no job is watched.
  if (max == 0) return Slot(nullptr, key);
  std::lock_guard lock(state_->mutex);
  std::size_t& count = state_->counts[key];
  if (count >= max) {
    return core::fail(core::ErrorCode::rate_limited,
                      fmt::format("This {0} already has {1} submissions queued or running, the "
                                  "most one {0} may have; retry when one of them is done.",
                                  holder, count));
  }
  ++count;
  return Slot(state_, key);
}

std::size_t ClientJobLimit::unfinished(const std::string& client) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->counts.find(client);
  return it == state_->counts.end() ? 0 : it->second;
}

}  // namespace ide::http
