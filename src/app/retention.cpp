#include "retention.hpp"

#include <exception>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/log.hpp"

namespace ide::app {

namespace {

// Removes from `ids` every id in `drop`, keeping the order of the rest.
void remove_ids(std::vector<std::string>& ids, const std::vector<std::string>& drop) {
  if (drop.empty()) return;
  const std::set<std::string, std::less<>> unwanted(drop.begin(), drop.end());
  std::erase_if(ids, [&unwanted](const std::string& id) { return unwanted.contains(id); });
}

core::Unexpected failed(std::string_view step, const core::Error& error) {
  return core::Unexpected(error.code, fmt::format("retention: {}: {}", step, error.message));
}

}  // namespace

RetentionTask::RetentionTask(submission::SubmissionService& submissions,
                             result::ResultService& results, url::UrlService& urls,
                             const core::Clock& clock, RetentionOptions options)
    : submissions_(submissions), results_(results), urls_(urls), clock_(clock), options_(options) {}

RetentionTask::~RetentionTask() { stop(); }

core::Result<RetentionReport> RetentionTask::run_once() {
  RetentionReport report;
  if (options_.days <= 0) return report;
  const core::TimePoint cutoff = clock_.now() - std::chrono::hours(24) * options_.days;
  const std::size_t batch = options_.batch == 0 ? 1 : options_.batch;
  std::string after;
  while (!stopping()) {
    auto page = submissions_.list_created_before(cutoff, batch, after);
    if (!page) return failed("listing old submissions", page.error());
    std::vector<std::string> ids = std::move(page->ids);

    if (!options_.include_shared && !ids.empty()) {
      auto shared = urls_.shared_among(ids);
      if (!shared) return failed("looking up share links", shared.error());
      report.kept_shared += shared->size();
      remove_ids(ids, *shared);
    }

    if (!ids.empty()) {
      // Results, then links, then the submission row: the row is what the next pass walks, so a
      // crash between steps leaves it listed to redo the rest, and no link outlives its target.
      auto purged = results_.purge(ids);
      if (!purged) return failed("purging results", purged.error());
      report.results += purged->purged;
      report.kept_active += purged->skipped.size();
      remove_ids(ids, purged->skipped);
      if (options_.on_results_purged) options_.on_results_purged(ids);
    }
    if (!ids.empty() && options_.include_shared) {
      auto links = urls_.purge_submissions(ids);
      if (!links) return failed("removing share links", links.error());
      report.links += *links;
    }
    if (!ids.empty()) {
      auto removed = submissions_.purge(ids);
      if (!removed) return failed("purging submissions", removed.error());
      report.submissions += *removed;
    }
    if (!ids.empty() && !options_.include_shared) {
      // Someone may have shared one of these after shared_among looked: that link now points at
      // nothing, so it goes too.
      auto links = urls_.purge_submissions(ids);
      if (!links) return failed("removing share links", links.error());
      report.links += *links;
    }

    if (page->next.empty()) break;
    after = std::move(page->next);
  }
  return report;
}

void RetentionTask::start() {
  if (options_.days <= 0 || thread_.joinable()) return;
  core::log::info(
      "retention: submissions older than {} day(s) are deleted ({}), checked every {} min",
      options_.days, options_.include_shared ? "shared ones too" : "shared ones are kept",
      std::chrono::duration_cast<std::chrono::minutes>(options_.interval).count());
  thread_ = std::thread([this] { loop(); });
}

void RetentionTask::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RetentionTask::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void RetentionTask::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      const core::Result<RetentionReport> report = run_once();
      if (!report) {
        core::log::error("{}; the next pass retries", report.error().message);
      } else if (report->submissions + report->results + report->links > 0) {
        core::log::info(
            "retention: purged {} submission(s), {} result(s), {} share link(s); kept {} old "
            "shared and {} old unfinished",
            report->submissions, report->results, report->links, report->kept_shared,
            report->kept_active);
      } else {
        core::log::debug("retention: nothing to purge");
      }
    } catch (const std::exception& e) {
      core::log::error("retention pass failed: {}", e.what());
    }
    lock.lock();
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

}  // namespace ide::app
