// Graceful stop (SPEC section 6, issue 4 item 2) on the real binary: on SIGTERM or SIGINT the
// server keeps answering HTTP while it drains, refuses new submissions with 503 shutting_down,
// lets the running job finish, leaves the queued ones queued, closes its databases and exits 0;
// a restart runs the rest. A job that outlives --shutdown-grace-ms is killed, stays queued and
// runs again after the restart.
#include <catch2/catch.hpp>

#include <csignal>

#include "durability_support.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::ServeChild;
using test::str;

namespace {

/// Sleeps `sleep_ms`, then prints "<n> done": the output tells which job it was.
std::string slow_program(int n, int sleep_ms) {
  return "import time\ntime.sleep(" + std::to_string(sleep_ms / 1000.0) + ")\nprint(" +
         std::to_string(n) + ", 'done')\n";
}

std::string slow_output(int n) { return std::to_string(n) + " done\n"; }

/// Waits until `id` runs (the worker picked it up).
void require_running(Api& api, const std::string& id) {
  const bool running = test::wait_until([&] { return test::status_of(api, id) == "running"; });
  REQUIRE(running);
}

/// After the stop: which jobs of results.db are in which state.
std::string job_state(test::SqliteFile& results, const std::string& id) {
  auto rows = results.rows("SELECT state FROM jobs WHERE submission_id = ?", {id});
  return rows.empty() ? "<none>" : rows[0][0];
}

/// The drain scenario for `signal`: one worker, the first job running, the others queued.
void drain_on(int signal, int jobs, int sleep_ms) {
  test::TempDir dir;
  const auto data = dir / "data";
  const auto logs = dir / "logs";
  std::vector<std::string> ids;
  std::vector<std::string> late_ids;  // accepted in the instant before the drain began
  const int late = 99;
  {
    ServeChild server(data, logs, test::serve_options(1, 60'000));
    Api api(server.url());
    for (int i = 0; i < jobs; ++i) ids.push_back(api.submit("python", slow_program(i, sleep_ms)));
    require_running(api, ids[0]);
    server.send(signal);
    REQUIRE(test::wait_until([&] { return server.log().find("draining") != std::string::npos; }));

    // While the first job still runs, the server answers: new work is refused, the rest is
    // served. Long enough (sleep_ms) for these few requests even on a loaded machine. A 202 that
    // slips in just before the drain closes the door is a promise like any other.
    const bool refusing = test::wait_until([&] {
      auto answer =
          api.post("/api/v1/submissions", test::submission_body("python", slow_program(late, 0)));
      if (answer.status == 202) late_ids.push_back(str(boost::json::parse(answer.body).at("id")));
      return answer.status == 503 && test::error_code(answer) == "shutting_down";
    });
    CHECK(refusing);
    CHECK(api.get("/healthz").status == 200);
    CHECK(test::status_of(api, ids[1]) == "queued");
    INFO(server.log());
    CHECK(server.wait_exit() == 0);
    CHECK(server.log().find("info  stopped") != std::string::npos);
  }
  // Closed cleanly: SQLite removes a WAL file when its last connection closes properly (checked
  // before this test opens any of them).
  for (const char* name : {"submissions.db", "results.db", "urls.db"}) {
    INFO(name);
    CHECK_FALSE(std::filesystem::exists(data / (std::string(name) + "-wal")));
  }
  {
    test::SqliteFile results(data / "results.db");
    CHECK(job_state(results, ids[0]) == "done");
    for (std::size_t i = 1; i < ids.size(); ++i) CHECK(job_state(results, ids[i]) == "queued");
    for (const std::string& id : late_ids) CHECK(job_state(results, id) == "queued");
    CHECK(results.count("SELECT COUNT(*) FROM results") == 1);
  }
  test::check_integrity(data);

  ServeChild restarted(data, logs, test::serve_options(2));
  Api api(restarted.url());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto result = api.wait_done(ids[i]);
    INFO(boost::json::serialize(result));
    CHECK(result.at("verdict") == "ok");
    CHECK(str(result.at("stdout")) == slow_output(static_cast<int>(i)));
  }
  for (const std::string& id : late_ids)
    CHECK(str(api.wait_done(id).at("stdout")) == slow_output(late));
  INFO(restarted.log());
  CHECK(restarted.stop() == 0);
  test::SqliteFile results(data / "results.db");
  CHECK(results.count("SELECT COUNT(*) FROM results") ==
        static_cast<std::int64_t>(ids.size() + late_ids.size()));
}

}  // namespace

TEST_CASE(
    "SIGTERM drains: 503 shutting_down, the running job finishes, the queued wait for the "
    "restart, exit 0",
    "[durability][stop]") {
  drain_on(SIGTERM, 4, 2500);
}

TEST_CASE("SIGINT drains the same way", "[durability][stop]") { drain_on(SIGINT, 2, 1500); }

TEST_CASE(
    "a job running past the grace period is killed, stays queued and runs after the "
    "restart",
    "[durability][stop]") {
  test::TempDir dir;
  const auto data = dir / "data";
  const auto logs = dir / "logs";
  std::string id;
  {
    ServeChild server(data, logs, test::serve_options(1, 300));
    Api api(server.url());
    id = api.submit("python", slow_program(42, 4000));
    require_running(api, id);
    INFO(server.log());
    CHECK(server.stop() == 0);
    CHECK(server.log().find("still running after the grace period") != std::string::npos);
  }
  {
    test::SqliteFile results(data / "results.db");
    CHECK(job_state(results, id) == "queued");
    CHECK(results.count("SELECT COUNT(*) FROM results") == 0);
  }
  test::check_integrity(data);

  ServeChild restarted(data, logs, test::serve_options(1));
  Api api(restarted.url());
  auto result = api.wait_done(id);
  INFO(boost::json::serialize(result));
  CHECK(result.at("verdict") == "ok");
  CHECK(str(result.at("stdout")) == slow_output(42));
  CHECK(restarted.stop() == 0);
  test::SqliteFile results(data / "results.db");
  CHECK(results.count("SELECT COUNT(*) FROM results WHERE submission_id = ?", {id}) == 1);
}
