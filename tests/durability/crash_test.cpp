// Crash safety (SPEC section 6, issue 4 item 1) on the real binary: `ide serve` is killed with -9
// at three moments (right after a burst of submissions, in the middle of the runs, and while a
// burst is still arriving), restarted on the same data dir each time, and in the end every
// submission that got a 202 has exactly one result, with exactly the right output; the three
// databases pass PRAGMA integrity_check. Also the outbox: a submission saved but never handed to
// the result module (a crash between the two steps) runs after a restart, and one handed off
// but not marked so is not run twice; both states are written into submissions.db by hand, and
// the first is also produced for real (results.db on its own disk, failed, then kill -9).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "durability_support.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::ServeChild;
using test::str;

namespace {

struct Accepted {
  std::string id;
  std::string language;
  std::int64_t n = 0;
};

/// One kill's figures, for the closing note: what the crash cut short and what was left.
struct KillReport {
  std::string moment;
  std::size_t accepted = 0;  // 202s received so far, in total
  test::QueueFigures at_kill;
};

std::string describe(const KillReport& report) {
  const std::int64_t in_flight = report.at_kill.queued + report.at_kill.running;
  std::ostringstream out;
  out << "kill -9 " << report.moment << ": " << report.accepted << " accepted so far, "
      << report.at_kill.results << " finished before the kill, " << in_flight << " in flight ("
      << report.at_kill.running << " running, " << report.at_kill.queued << " queued), "
      << report.at_kill.not_handed_off << " saved but not yet handed off";
  return out.str();
}

std::string stdin_of(std::int64_t n) { return std::to_string(n) + "\n"; }

}  // namespace

TEST_CASE("kill -9 at three moments: every accepted submission ends with exactly one result",
          "[durability][crash]") {
  test::TempDir dir;
  const auto data = dir / "data";
  const auto logs = dir / "logs";
  std::vector<Accepted> accepted;
  std::vector<KillReport> kills;
  std::vector<std::string> languages;
  std::int64_t next_n = 1000;
  constexpr int kSleepMs = 200;

  // Moment 1: at once after a burst of 40 (a few runs have started, most wait in the queue).
  {
    ServeChild server(data, logs);
    Api api(server.url());
    languages = test::served_number_languages(api);
    for (int i = 0; i < 40; ++i) {
      const std::string& language = languages[static_cast<std::size_t>(i) % languages.size()];
      const std::int64_t n = next_n++;
      accepted.push_back(
          {api.submit(language, test::number_program(language, kSleepMs), stdin_of(n)), language,
           n});
    }
    server.kill_hard();
  }
  kills.push_back({"right after a burst of 40", accepted.size(), test::queue_figures(data)});

  // Moment 2: in the middle of the runs, once about half of them are done.
  {
    ServeChild server(data, logs);
    Api api(server.url());
    const bool half_done = test::wait_until([&] {
      std::size_t done = 0;
      for (const Accepted& submission : accepted) {
        done += test::status_of(api, submission.id) == "done" ? 1 : 0;
      }
      return done >= accepted.size() / 2;
    });
    INFO(server.log());
    REQUIRE(half_done);
    server.kill_hard();
  }
  kills.push_back({"in the middle of the runs", accepted.size(), test::queue_figures(data)});

  // Moment 3: while another burst is still arriving; requests in flight get no answer, which
  // promises nothing, but every 202 must hold.
  std::size_t unanswered = 0;
  std::vector<unsigned> refusals;
  {
    ServeChild server(data, logs);
    std::mutex mutex;
    std::vector<Accepted> burst;
    std::atomic<bool> finished{false};
    std::thread submitter([&] {
      // No Catch macros here: they are not thread-safe.
      auto client = http::HttpClient::create(server.url());
      for (int i = 0; client && i < 30; ++i) {
        const std::string& language = languages[static_cast<std::size_t>(i) % languages.size()];
        const std::int64_t n = 5000 + i;
        auto answer = client->post(
            "/api/v1/submissions",
            test::submission_body(language, test::number_program(language, kSleepMs), stdin_of(n)),
            std::chrono::seconds(30));
        std::lock_guard lock(mutex);
        if (!answer) {
          ++unanswered;
          break;
        }
        if (answer->status != 202) {
          refusals.push_back(answer->status);
          continue;
        }
        boost::system::error_code ec;
        auto body = boost::json::parse(answer->body, ec);
        if (ec || !body.is_object() || !body.as_object().contains("id")) {
          refusals.push_back(answer->status);
          continue;
        }
        burst.push_back({str(body.at("id")), language, n});
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      finished = true;
    });
    test::wait_until([&] {
      std::lock_guard lock(mutex);
      return burst.size() >= 12 || finished;
    });
    server.kill_hard();
    submitter.join();
    accepted.insert(accepted.end(), burst.begin(), burst.end());
  }
  CHECK(refusals.empty());
  kills.push_back({"while a second burst arrived", accepted.size(), test::queue_figures(data)});

  // The restart that finishes everything.
  {
    ServeChild server(data, logs);
    Api api(server.url());
    for (const Accepted& submission : accepted) {
      auto result = api.wait_done(submission.id);
      INFO(submission.language << " n=" << submission.n << ": " << boost::json::serialize(result));
      CHECK(result.at("verdict") == "ok");
      CHECK(str(result.at("stdout")) == test::expected_output(submission.language, submission.n));
    }
    INFO(server.log());
    CHECK(server.stop() == 0);
  }

  // Exactly once, read from the files themselves now that the server has stopped.
  test::SqliteFile results(data / "results.db");
  test::SqliteFile submissions(data / "submissions.db");
  std::set<std::string> ids;
  for (const Accepted& submission : accepted) {
    ids.insert(submission.id);
    INFO(submission.id);
    CHECK(results.count("SELECT COUNT(*) FROM results WHERE submission_id = ?", {submission.id}) ==
          1);
    CHECK(results.rows("SELECT stdout FROM results WHERE submission_id = ?", {submission.id}) ==
          std::vector<std::vector<std::string>>{
              {test::expected_output(submission.language, submission.n)}});
  }
  CHECK(ids.size() == accepted.size());
  // A request cut off by the kill may have been saved without its 202 reaching us: it runs too.
  const std::int64_t saved = submissions.count("SELECT COUNT(*) FROM submissions");
  CHECK(saved >= static_cast<std::int64_t>(accepted.size()));
  CHECK(saved <= static_cast<std::int64_t>(accepted.size() + unanswered));
  CHECK(results.count("SELECT COUNT(*) FROM results") == saved);
  CHECK(results.count("SELECT COUNT(*) FROM jobs") == saved);
  CHECK(results.count("SELECT COUNT(*) FROM jobs WHERE state <> 'done'") == 0);
  CHECK(submissions.count("SELECT COUNT(*) FROM submissions WHERE handed_off = 0") == 0);
  // Each job a kill caught running was counted as interrupted once, and run again.
  std::int64_t running_at_kills = 0;
  for (const KillReport& kill : kills) running_at_kills += kill.at_kill.running;
  const std::int64_t interrupted = results.count("SELECT COALESCE(SUM(attempts), 0) FROM jobs");
  CHECK(interrupted == running_at_kills);
  test::check_integrity(data);

  std::string summary = "durability figures:\n";
  for (const KillReport& kill : kills) summary += "  " + describe(kill) + "\n";
  summary += "  after the last restart: " + std::to_string(accepted.size()) + " of " +
             std::to_string(accepted.size()) + " accepted submissions finished with the right " +
             "output, " + std::to_string(results.count("SELECT COUNT(*) FROM results")) +
             " result rows for " + std::to_string(saved) + " saved submissions, " +
             std::to_string(interrupted) + " interrupted runs re-run, " +
             std::to_string(unanswered) + " request(s) cut off by the kill\n";
  std::printf("%s", summary.c_str());
  WARN(summary);
}

TEST_CASE(
    "a crash between saving a submission and handing it off loses nothing and runs "
    "nothing twice",
    "[durability][crash][outbox]") {
  test::TempDir dir;
  const auto data = dir / "data";
  const auto logs = dir / "logs";
  std::string handed_id;
  std::string first_finished_at;
  {
    ServeChild server(data, logs);
    Api api(server.url());
    handed_id = api.submit("python", test::number_program("python", 0), stdin_of(7));
    auto result = api.wait_done(handed_id);
    CHECK(str(result.at("stdout")) == test::expected_output("python", 7));
    first_finished_at = str(result.at("finished_at"));
    CHECK(server.stop() == 0);
  }

  // The two crash windows, written into submissions.db as the module itself would leave them
  // (its schema: see the submission module's store): saved but never enqueued, and enqueued
  // (even finished) but not yet marked handed off.
  core::RandomIdGenerator ids;
  const std::string orphan_id = ids.new_id();
  {
    test::SqliteFile submissions(data / "submissions.db", /*writable=*/true);
    std::set<std::string> columns;
    for (const auto& row : submissions.rows("SELECT name FROM pragma_table_info('submissions')")) {
      columns.insert(row[0]);
    }
    // The codec columns default to raw (0), the encoding of the blobs written below; args,
    // expected_stdout, tests, problem_id, class_id and student to NULL (none), interactive to 0.
    REQUIRE(columns == std::set<std::string>{"id", "language", "cpu_ms", "wall_ms", "memory_kb",
                                             "created_at_ms", "handed_off", "code", "stdin",
                                             "code_codec", "stdin_codec", "args",
                                             "expected_stdout", "tests", "problem_id",
                                             "interactive", "class_id", "student"});
    const std::string now_ms = std::to_string(core::to_unix_ms(core::SystemClock().now()));
    submissions.rows(
        "INSERT INTO submissions (id, language, cpu_ms, wall_ms, memory_kb, created_at_ms, "
        "handed_off, code, stdin) VALUES (?, 'python', NULL, NULL, NULL, ?, 0, CAST(? AS BLOB), "
        "CAST(? AS BLOB))",
        {orphan_id, now_ms, test::number_program("python", 0), stdin_of(12)});
    submissions.rows("UPDATE submissions SET handed_off = 0 WHERE id = ?", {handed_id});
  }
  {
    test::SqliteFile results(data / "results.db");
    REQUIRE(results.count("SELECT COUNT(*) FROM jobs WHERE submission_id = ?", {orphan_id}) == 0);
  }

  {
    ServeChild server(data, logs);
    Api api(server.url());
    auto orphan = api.wait_done(orphan_id);
    INFO(boost::json::serialize(orphan));
    CHECK(orphan.at("verdict") == "ok");
    CHECK(str(orphan.at("stdout")) == test::expected_output("python", 12));
    auto handed = api.wait_done(handed_id);
    CHECK(str(handed.at("finished_at")) == first_finished_at);
    INFO(server.log());
    CHECK(server.stop() == 0);
  }

  test::SqliteFile submissions(data / "submissions.db");
  CHECK(submissions.count("SELECT COUNT(*) FROM submissions WHERE handed_off = 0") == 0);
  test::SqliteFile results(data / "results.db");
  CHECK(results.count("SELECT COUNT(*) FROM results") == 2);
  CHECK(results.count("SELECT COUNT(*) FROM results WHERE submission_id = ?", {orphan_id}) == 1);
  CHECK(results.count("SELECT COUNT(*) FROM results WHERE submission_id = ?", {handed_id}) == 1);
  CHECK(results.count("SELECT COALESCE(SUM(attempts), 0) FROM jobs") == 0);
  test::check_integrity(data);
}

TEST_CASE("a real crash between saving a submission and handing it off: the outbox replays it",
          "[durability][crash][outbox]") {
  // results.db lives on its own small ext4 (through a symlink, which SQLite follows) so that it
  // alone can fail: the submission is saved, its hand-off fails, the server is killed -9 with
  // the row still in the outbox, the disk is repaired and a restart runs it.
  test::TempDir dir;
  test::ScratchMount results_fs;
  results_fs.mount_ext4(dir.path(), dir / "results-fs", 16);
  if (!results_fs.mounted()) {
    WARN("SKIPPED: cannot mount an ext4 image on a loop device (" << results_fs.problem()
                                                                  << "); this case needs root");
    return;
  }
  const auto data = dir / "data";
  const auto logs = dir / "logs";
  std::filesystem::create_directories(data);
  std::filesystem::create_symlink(results_fs.path() / "results.db", data / "results.db");

  std::string before;
  std::string orphan;
  {
    ServeChild server(data, logs);
    Api api(server.url());
    before = api.submit("python", test::number_program("python", 0), stdin_of(3));
    CHECK(str(api.wait_done(before).at("stdout")) == test::expected_output("python", 3));
    REQUIRE(std::filesystem::exists(results_fs.path() / "results.db"));

    const test::CommandRun aborted =
        test::run_command(dir.path(), {"mount", "-o", "remount,abort", results_fs.path().string()});
    INFO(aborted.output);
    REQUIRE(aborted.exit_code == 0);

    // Saved in submissions.db, refused by results.db: still a 202, and the job shows as queued.
    orphan = api.submit("python", test::number_program("python", 0), stdin_of(21));
    CHECK(test::status_of(api, orphan) == "queued");
    INFO(server.log());
    CHECK(server.log().find("submission " + orphan + " saved but not handed off") !=
          std::string::npos);
    server.kill_hard();
  }
  {
    test::SqliteFile submissions(data / "submissions.db");
    CHECK(submissions.count("SELECT handed_off FROM submissions WHERE id = ?", {orphan}) == 0);
  }

  REQUIRE(results_fs.unmount());
  const test::CommandRun fsck =
      test::run_command(dir.path(), {"e2fsck", "-fy", results_fs.image().string()});
  INFO(fsck.output);
  CHECK((fsck.exit_code == 0 || fsck.exit_code == 1));  // 1: errors found and corrected
  results_fs.remount_image(dir.path());
  REQUIRE(results_fs.mounted());
  {
    ServeChild server(data, logs);
    Api api(server.url());
    auto result = api.wait_done(orphan);
    INFO(boost::json::serialize(result));
    CHECK(result.at("verdict") == "ok");
    CHECK(str(result.at("stdout")) == test::expected_output("python", 21));
    CHECK(str(api.wait_done(before).at("stdout")) == test::expected_output("python", 3));
    CHECK(server.stop() == 0);
  }
  test::SqliteFile submissions(data / "submissions.db");
  CHECK(submissions.count("SELECT COUNT(*) FROM submissions WHERE handed_off = 0") == 0);
  test::SqliteFile results(data / "results.db");
  CHECK(results.count("SELECT COUNT(*) FROM results") == 2);
  CHECK(results.count("SELECT COUNT(*) FROM results WHERE submission_id = ?", {orphan}) == 1);
  test::check_integrity(data);
}
