#include "http/done_watch.hpp"

#include <utility>

namespace ide::http {

namespace {

constexpr auto kWatchSlice = std::chrono::seconds(30);

}  // namespace

void watch_until_done(compose::SubmissionViews& views, std::string id,
                      std::chrono::steady_clock::time_point deadline,
                      result::CallbackExecutor executor, std::function<void(WatchEnd)> end) {
  const auto asked = std::chrono::steady_clock::now();
  auto watched = views.watch_result(
      id, kWatchSlice, executor,
      [&views, id, deadline, executor, end, asked](core::Result<result::RunResult> run) {
        if (!run || run->status == result::Status::done) return end({std::move(run)});
        const auto now = std::chrono::steady_clock::now();
        const bool stopping = now - asked < kWatchSlice;
        if (!stopping && now < deadline) {
          return watch_until_done(views, id, deadline, executor, end);
        }
        end({std::move(run), stopping});
      });
  if (!watched) end({core::Unexpected(watched.error())});
}

}  // namespace ide::http
