// RetentionTask against the three real modules wired in-process as src/app does (real SQLite files,
// real bash runs without isolation) and a fake clock the test moves past the cutoff: old unshared
// submissions disappear from all three modules, shared, new and unfinished ones stay, paging gets
// past kept ids, include_shared takes the shared ones and their links too, a pass cut short is
// finished by the next, a link made while a pass runs does not outlive its submission, and the
// task's thread runs a pass at start and stops on request.
#include "retention.hpp"
#include "module_options.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "compose/job_source.hpp"
#include "core/ids.hpp"
#include "result/module.hpp"
#include "retention_support.hpp"
#include "submission/module.hpp"
#include "support/fakes/fake_clock.hpp"
#include "support/temp_dir.hpp"
#include "url/module.hpp"

using namespace std::chrono_literals;
using ide::app::RetentionOptions;
using ide::app::RetentionReport;
using ide::app::RetentionTask;
using ide::core::ErrorCode;
using ide::result::Status;
using ide::test::get_result;
using ide::test::result_is_gone;
using ide::test::wait_for_status;

namespace {

constexpr auto kDay = std::chrono::hours(24);

/// The composition root's wiring, minus HTTP.
struct App {
  ide::test::TempDir dir;
  ide::core::Config config;
  ide::test::FakeClock clock;
  ide::core::RandomIdGenerator ids;
  std::unique_ptr<ide::result::ResultModule> result;
  std::unique_ptr<ide::submission::SubmissionService> submissions;
  std::unique_ptr<ide::compose::SubmissionJobSource> jobs;
  std::unique_ptr<ide::url::UrlService> urls;

  App() : config(ide::test::module_config(dir, 2)) {
    // Runs started by root use another uid, which must be able to look into the temp dir.
    std::filesystem::permissions(dir.path(), std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add);
    auto made_result = ide::result::make_result_module(ide::app::result_options(config), clock);
    REQUIRE(made_result);
    result = std::move(made_result).value();
    auto made_submissions =
        ide::submission::make_submission_service(ide::app::submission_options(config),
                                                 result->service(), clock, ids);
    REQUIRE(made_submissions);
    submissions = std::move(made_submissions).value();
    jobs = std::make_unique<ide::compose::SubmissionJobSource>(*submissions);
    result->start(*jobs);
    auto made_urls = ide::url::make_url_service(ide::app::url_options(config), *submissions);
    REQUIRE(made_urls);
    urls = std::move(made_urls).value();
  }
  ~App() {
    result->stop(0ms);
    urls.reset();
    submissions.reset();
    result.reset();
  }

  ide::result::ResultService& results() { return result->service(); }

  /// Submits at the clock's time, then moves the clock on a second.
  std::string submit(const std::string& code) {
    auto id = submissions->submit_code(
        {.language = "bash", .code = code, .stdin_data = "", .limits = {}});
    REQUIRE(id);
    clock.advance(1s);
    return *id;
  }
  std::string submit_and_finish(const std::string& code) {
    const std::string id = submit(code);
    wait_for_status(results(), id, Status::done);
    return id;
  }
  std::string share(const std::string& id) {
    auto link = urls->generate_url(id);
    REQUIRE(link);
    return link->slug;
  }

  RetentionReport run_pass(RetentionOptions options) {
    RetentionTask task(*submissions, results(), *urls, clock, options);
    auto report = task.run_once();
    INFO((report ? "" : report.error().message));
    REQUIRE(report);
    return *report;
  }

  /// Gone from every module, as a client would see it.
  void check_gone(const std::string& id) {
    INFO("submission " << id << " should be gone");
    auto got = submissions->get(id);
    REQUIRE_FALSE(got);
    CHECK(got.error().code == ErrorCode::not_found);
    CHECK(result_is_gone(results(), id));
    auto link = urls->generate_url(id);
    REQUIRE_FALSE(link);
    CHECK(link.error().code == ErrorCode::not_found);
  }

  /// Stored, with its finished result, as a client would see it.
  void check_intact(const std::string& id, const std::string& stdout_data) {
    INFO("submission " << id << " should be intact");
    CHECK(submissions->get(id).has_value());
    auto result = get_result(results(), id);
    REQUIRE(result);
    CHECK(result->status == Status::done);
    CHECK(result->stdout_data == stdout_data);
  }
};

std::string gate_script(const std::filesystem::path& gate) {
  return "while [ ! -e '" + gate.string() + "' ]; do sleep 0.02; done; echo released";
}

bool same_counts(const RetentionReport& a, const RetentionReport& b) {
  return a.submissions == b.submissions && a.results == b.results && a.links == b.links &&
         a.kept_shared == b.kept_shared && a.kept_active == b.kept_active;
}

}  // namespace

TEST_CASE("a pass purges old unshared submissions and keeps shared, new and unfinished ones",
          "[retention]") {
  App app;
  // The shared one is the oldest, so a listing that restarted at the oldest on every page would
  // never get past it with batches of two.
  const std::string old_shared = app.submit_and_finish("echo shared");
  const std::string slug = app.share(old_shared);
  std::vector<std::string> old;
  for (int i = 0; i < 3; ++i) old.push_back(app.submit_and_finish("echo old " + std::to_string(i)));
  const std::filesystem::path gate = app.dir / "gate";
  const std::string old_running = app.submit(gate_script(gate));
  wait_for_status(app.results(), old_running, Status::running);

  app.clock.advance(kDay + 1h);
  const std::string fresh = app.submit_and_finish("echo fresh");
  const RetentionOptions options{.days = 1, .include_shared = false, .batch = 2};

  const RetentionReport report = app.run_pass(options);
  CHECK(report.submissions == 3);
  CHECK(report.results == 3);
  CHECK(report.links == 0);
  CHECK(report.kept_shared == 1);
  CHECK(report.kept_active == 1);
  for (const std::string& id : old) app.check_gone(id);

  app.check_intact(old_shared, "shared\n");
  auto resolved = app.urls->resolve(slug);
  REQUIRE(resolved);
  CHECK(*resolved == old_shared);
  app.check_intact(fresh, "fresh\n");
  CHECK(app.submissions->get(old_running).has_value());
  {
    auto status = get_result(app.results(), old_running);
    REQUIRE(status);
    CHECK(status->status == Status::running);
  }

  SECTION("nothing more goes until the unfinished job is done") {
    CHECK(same_counts(app.run_pass(options), {.kept_shared = 1, .kept_active = 1}));
    ide::test::write_text(gate, "");
    wait_for_status(app.results(), old_running, Status::done);
    CHECK(same_counts(app.run_pass(options), {.submissions = 1, .results = 1, .kept_shared = 1}));
    app.check_gone(old_running);
    app.check_intact(old_shared, "shared\n");
  }

  SECTION("include_shared takes the shared submission and its link too") {
    ide::test::write_text(gate, "");
    wait_for_status(app.results(), old_running, Status::done);
    const RetentionReport all = app.run_pass({.days = 1, .include_shared = true, .batch = 2});
    CHECK(same_counts(all, {.submissions = 2, .results = 2, .links = 1}));
    app.check_gone(old_shared);
    app.check_gone(old_running);
    auto link = app.urls->resolve(slug);
    REQUIRE_FALSE(link);
    CHECK(link.error().code == ErrorCode::not_found);
    app.check_intact(fresh, "fresh\n");
  }
}

TEST_CASE("nothing is purged while retention is off or nothing is old enough", "[retention]") {
  App app;
  const std::string id = app.submit_and_finish("echo kept");
  app.clock.advance(10 * kDay);
  CHECK(same_counts(app.run_pass({.days = 0}), {}));
  CHECK(same_counts(app.run_pass({.days = 11, .include_shared = true}), {}));
  app.check_intact(id, "kept\n");
}

TEST_CASE("a pass cut short after the results went is finished by the next", "[retention]") {
  App app;
  const std::string shared = app.submit_and_finish("echo shared");
  const std::string slug = app.share(shared);
  const std::string unshared = app.submit_and_finish("echo unshared");
  app.clock.advance(2 * kDay);

  // What a crash after the first steps leaves: results gone, the link gone, the rows still there.
  auto results = app.results().purge({shared, unshared});
  REQUIRE(results);
  REQUIRE(results->purged == 2);
  auto links = app.urls->purge_submissions({shared});
  REQUIRE(links);
  REQUIRE(*links == 1);

  CHECK(same_counts(app.run_pass({.days = 1, .include_shared = true}), {.submissions = 2}));
  app.check_gone(shared);
  app.check_gone(unshared);
}

namespace {

/// The real url service, except that a share is made right after shared_among answers: what a
/// user sharing an old submission in the middle of a pass does.
class ShareDuringPass final : public ide::url::UrlService {
 public:
  ShareDuringPass(ide::url::UrlService& inner, std::string id)
      : inner_(inner), id_(std::move(id)) {}

  ide::core::Result<ide::url::ShareLink> generate_url(std::string_view submission_id) override {
    return inner_.generate_url(submission_id);
  }
  ide::core::Result<std::string> resolve(std::string_view slug) override {
    return inner_.resolve(slug);
  }
  ide::core::Result<std::vector<std::string>> shared_among(
      const std::vector<std::string>& submission_ids) override {
    auto shared = inner_.shared_among(submission_ids);
    if (auto link = inner_.generate_url(id_)) slug_ = link->slug;
    return shared;
  }
  ide::core::Result<std::size_t> purge_submissions(
      const std::vector<std::string>& submission_ids) override {
    return inner_.purge_submissions(submission_ids);
  }

  const std::string& slug() const { return slug_; }

 private:
  ide::url::UrlService& inner_;
  std::string id_;
  std::string slug_;
};

}  // namespace

TEST_CASE("a link made while a pass runs does not outlive its submission", "[retention]") {
  App app;
  const std::string id = app.submit_and_finish("echo late share");
  app.clock.advance(2 * kDay);
  ShareDuringPass urls(*app.urls, id);
  RetentionTask task(*app.submissions, app.results(), urls, app.clock, {.days = 1});
  auto report = task.run_once();
  REQUIRE(report);
  REQUIRE_FALSE(urls.slug().empty());
  CHECK(same_counts(*report, {.submissions = 1, .results = 1, .links = 1}));
  app.check_gone(id);
  auto link = app.urls->resolve(urls.slug());
  REQUIRE_FALSE(link);
  CHECK(link.error().code == ErrorCode::not_found);
}

TEST_CASE("the task's thread runs a pass at start and stops when asked", "[retention]") {
  App app;
  const std::string old = app.submit_and_finish("echo old");
  app.clock.advance(2 * kDay);
  const std::string fresh = app.submit_and_finish("echo fresh");

  SECTION("on") {
    // An hour between passes: only the pass at start can purge within this test, and stop()
    // must cut the wait short (else the test would hang).
    RetentionTask task(*app.submissions, app.results(), *app.urls, app.clock,
                       {.days = 1, .interval = 1h});
    task.start();
    const auto limit = std::chrono::steady_clock::now() + 60s;
    while (app.submissions->get(old).has_value() && std::chrono::steady_clock::now() < limit) {
      std::this_thread::sleep_for(10ms);
    }
    task.stop();
    task.stop();
    app.check_gone(old);
    app.check_intact(fresh, "fresh\n");
  }

  SECTION("off: start does nothing") {
    RetentionTask task(*app.submissions, app.results(), *app.urls, app.clock, {.days = 0});
    task.start();
    task.stop();
    app.check_intact(old, "old\n");
  }
}
