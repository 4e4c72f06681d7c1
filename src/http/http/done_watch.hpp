// Waiting for a run to finish without holding a thread. A module's watch answers after at most
// one slice, so a longer wait renews it until the run is done, the module stops, or a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "compose/submission_views.hpp"
#include "result/result_service.hpp"

namespace ide::http {

/// How a wait for a finished run ended.
struct WatchEnd {
  core::Result<result::RunResult> run;  // done, or as it was when the wait gave up
  // The module answered unfinished before a slice ran out: it is stopping, and would answer
  // every new watch at once.
  bool stopping = false;
};

/// Watches `id` in 30 s slices until its run is done, the module stops or `deadline` passes,
/// then calls `end` once: through `executor`, or at once when no watch could start.
void watch_until_done(compose::SubmissionViews& views, std::string id,
                      std::chrono::steady_clock::time_point deadline,
                      result::CallbackExecutor executor, std::function<void(WatchEnd)> end);

}  // namespace ide::http
