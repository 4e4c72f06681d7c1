// Several `ide serve` processes on one PostgreSQL queue (all three stores in a throwaway cluster
// of this test process): a worker killed with SIGKILL mid-run loses nothing, another process runs
// the job again once its lease lapses and exactly one result is kept; jobs submitted to either
// process are run once and a long poll on the other answers (LISTEN/NOTIFY).
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/pg.hpp"
#include "e2e_support.hpp"
#include "process.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using namespace std::chrono_literals;
using test::Api;
using test::ServerProcess;
using test::str;

namespace {

struct SharedStores {
  std::string submissions = test::new_postgres_database();
  std::string results = test::new_postgres_database();
  std::string urls = test::new_postgres_database();

  std::vector<std::string> args() const {
    return {"--submission-store", submissions, "--result-store", results,
            "--url-store",        urls,        "--share-secret", "one secret for all",
            "--job-lease-ms",     "2000"};
  }
  std::string scalar(const std::string& sql) const {
    core::pg::Connection db(results);
    return db.exec(sql).rows.at(0).at(0).value_or("NULL");
  }
};

std::string status_of(Api& api, const std::string& id) {
  auto answer = api.get("/api/v1/submissions/" + id + "/result");
  REQUIRE(answer.status == 200);
  return str(boost::json::parse(answer.body).at("status"));
}

void wait_running(Api& api, const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (status_of(api, id) != "running") {
    if (std::chrono::steady_clock::now() > deadline) FAIL("job " << id << " never started");
    std::this_thread::sleep_for(20ms);
  }
}

boost::json::object queue_of(Api& api) {
  auto answer = api.get("/healthz/queue");
  REQUIRE(answer.status == 200);
  return boost::json::parse(answer.body).as_object();
}

}  // namespace

// Not in the cgroup v2 guest: it has no PostgreSQL server.
// [not-in-split]: it starts and kills full processes of its own on one queue.
TEST_CASE("kill -9 of a worker mid-run: another process runs the job again, one result kept",
          "[e2e][postgres][failover][not-in-guest][not-in-split]") {
  const SharedStores stores;
  test::TempDir dir_a;
  test::TempDir dir_b;
  std::optional<ServerProcess> a;
  a.emplace(dir_a.path(), stores.args());
  Api api_a(a->url());
  const std::string id = api_a.submit(
      "python", "import time\nprint('start', flush=True)\ntime.sleep(2)\nprint('end')\n");
  wait_running(api_a, id);
  // Started once the job is claimed: the second process can only get it from a lapsed lease.
  ServerProcess b(dir_b.path(), stores.args());
  Api api_b(b.url());
  CHECK(queue_of(api_b).at("live_leases") == 1);

  a.reset();  // SIGKILL, mid-run
  const auto killed_at = std::chrono::steady_clock::now();
  const auto result = api_b.wait_done(id);
  CHECK(str(result.at("verdict")) == "ok");
  CHECK(str(result.at("stdout")) == "start\nend\n");
  // The lease (2 s) lapses, a worker notices within another lease, and the run takes ~2 s.
  CHECK(std::chrono::steady_clock::now() - killed_at < 30s);
  CHECK(stores.scalar("SELECT count(*) FROM results") == "1");
  CHECK(stores.scalar("SELECT attempts FROM jobs WHERE submission_id = '" + id + "'") == "1");
  const auto queue = queue_of(api_b);
  CHECK(queue.at("queued") == 0);
  CHECK(queue.at("live_leases") == 0);
  CHECK(queue.at("expired_leases") == 0);
  CHECK(b.stop() == 0);
}

// [not-in-split]: it starts full processes of its own on one queue.
TEST_CASE("two processes on one queue: each job runs once, a long poll on either answers",
          "[e2e][postgres][failover][not-in-guest][not-in-split]") {
  const SharedStores stores;
  test::TempDir dir_a;
  test::TempDir dir_b;
  ServerProcess a(dir_a.path(), stores.args());
  ServerProcess b(dir_b.path(), stores.args());
  Api api_a(a.url());
  Api api_b(b.url());
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    Api& to = i % 2 == 0 ? api_a : api_b;
    ids.push_back(to.submit("python", "print(" + std::to_string(i) + " * 7)\n"));
  }
  for (int i = 0; i < 8; ++i) {
    Api& from = i % 2 == 0 ? api_b : api_a;  // the process that did not take the submit
    const auto started = std::chrono::steady_clock::now();
    const auto result = from.wait_done(ids[i]);
    CHECK(str(result.at("stdout")) == std::to_string(i * 7) + "\n");
    // Answered when the job ends, not when a poll interval passes.
    CHECK(std::chrono::steady_clock::now() - started < 20s);
  }
  CHECK(stores.scalar("SELECT count(*) FROM results") == "8");
  CHECK(stores.scalar("SELECT max(attempts) FROM jobs") == "0");
  CHECK(stores.scalar("SELECT count(DISTINCT lease_owner) FROM jobs") == "0");  // all released
  CHECK(a.stop() == 0);
  CHECK(b.stop() == 0);
}
