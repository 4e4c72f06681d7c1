// GET /metrics of the real `ide serve` (each process of a split deployment): real Python runs
// move ide_runs_total{language,verdict} and the run time and memory histograms, the submits move
// ide_http_requests_total of their route, and every process's text parses as format 0.0.4.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "process.hpp"
#include "support/prometheus_text.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::Exposition;
using test::MetricLabels;
using test::ServerProcess;

namespace {

/// Each process's metrics, parsed and checked.
std::vector<Exposition> scrape_all(const ServerProcess& server) {
  std::vector<Exposition> all;
  for (const std::string& url : server.urls()) {
    Api api(url);
    const auto answer = api.get("/metrics");
    REQUIRE(answer.status == 200);
    CHECK(answer.content_type == "text/plain; version=0.0.4; charset=utf-8");
    INFO(url << "\n" << answer.body);
    all.push_back(test::parse_exposition(answer.body));
    CHECK(test::histogram_problems(all.back()).empty());
  }
  return all;
}

/// `name{labels}` summed over the processes (each counts what it did itself).
double total(const std::vector<Exposition>& all, const std::string& name,
             const MetricLabels& labels) {
  double sum = 0;
  for (const Exposition& one : all) sum += one.value(name, labels);
  return sum;
}

}  // namespace

TEST_CASE("runs and requests of the real server show in GET /metrics", "[e2e][metrics]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());
  const MetricLabels python_ok{{"language", "python"}, {"verdict", "ok"}};
  const MetricLabels python_failed{{"language", "python"}, {"verdict", "runtime_error"}};
  const MetricLabels python{{"language", "python"}};
  const MetricLabels submits{
      {"route", "/api/v1/submissions"}, {"method", "POST"}, {"status", "202"}};
  const auto before = scrape_all(server);

  const auto ok = api.wait_done(api.submit("python", "print('metrics')\n"));
  const auto failed = api.wait_done(api.submit("python", "raise SystemExit(3)\n"));
  INFO(server.log());
  REQUIRE(ok.at("verdict") == "ok");
  REQUIRE(failed.at("verdict") == "runtime_error");

  const auto after = scrape_all(server);
  CHECK(total(after, "ide_runs_total", python_ok) ==
        total(before, "ide_runs_total", python_ok) + 1);
  CHECK(total(after, "ide_runs_total", python_failed) ==
        total(before, "ide_runs_total", python_failed) + 1);
  CHECK(total(after, "ide_run_duration_seconds_count", python) ==
        total(before, "ide_run_duration_seconds_count", python) + 2);
  CHECK(total(after, "ide_run_memory_bytes_count", python) ==
        total(before, "ide_run_memory_bytes_count", python) + 2);
  CHECK(total(after, "ide_run_duration_seconds_sum", python) >
        total(before, "ide_run_duration_seconds_sum", python));
  CHECK(total(after, "ide_http_requests_total", submits) ==
        total(before, "ide_http_requests_total", submits) + 2);
  CHECK(total(after, "ide_sandbox_failures_total", {{"reason", "setup"}}) ==
        total(before, "ide_sandbox_failures_total", {{"reason", "setup"}}));
  // The public process reads the shared queue, empty again now.
  CHECK(after.back().find("ide_queue_depth") == 0);
  CHECK(server.stop() == 0);
}
