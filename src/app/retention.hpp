// Retention (--retention-days): the periodic purge of old submissions, results and share links,
// each module deleting its own data through its public interface.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "result/result_service.hpp"
#include "submission/submission_service.hpp"
#include "url/url_service.hpp"

namespace ide::app {

struct RetentionOptions {
  std::int64_t days = 0;        // submissions older than this many days go; 0: retention is off
  bool include_shared = false;  // also shared submissions (and their links)
  std::chrono::milliseconds interval = std::chrono::hours(1);
  std::size_t batch = 500;  // ids per page: bounds memory and each module call
  // Told the ids of each batch of purged results, e.g. so that a cache of them forgets them.
  std::function<void(const std::vector<std::string>&)> on_results_purged = {};
};

/// What one pass removed and what it kept of the old data.
struct RetentionReport {
  std::size_t submissions = 0;  // rows removed from each module
  std::size_t results = 0;
  std::size_t links = 0;
  std::size_t kept_shared = 0;  // old but shared, kept because include_shared is off
  std::size_t kept_active = 0;  // old but still queued or running, kept for a later pass
};

/// Walks the old submissions page by page and asks each module to delete its part. Knows the
/// modules only by their public interfaces, so every step is one request and one response.
/// run_once() may be called from any thread but not concurrently with itself.
class RetentionTask {
 public:
  /// The services and `clock` must outlive the task.
  RetentionTask(submission::SubmissionService& submissions, result::ResultService& results,
                url::UrlService& urls, const core::Clock& clock, RetentionOptions options);
  RetentionTask(const RetentionTask&) = delete;
  RetentionTask& operator=(const RetentionTask&) = delete;
  /// stop().
  ~RetentionTask();

  /// One pass over the submissions created before clock.now() - days. Stops early (with what it
  /// did so far) once stop() was called. Errors: the first failing module call's; whatever was
  /// purged before it stays purged and the next pass carries on.
  core::Result<RetentionReport> run_once();

  /// When days > 0: runs a pass now and then every interval on a thread of its own, logging what
  /// each pass purged. Call at most once.
  void start();

  /// Ends the thread; a pass in progress stops after its current page. Idempotent.
  void stop();

 private:
  void loop();
  bool stopping() const;

  submission::SubmissionService& submissions_;
  result::ResultService& results_;
  url::UrlService& urls_;
  const core::Clock& clock_;
  const RetentionOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ide::app
