// core/metrics: counters, gauges and histograms with labels, their text exposition (format 0.0.4:
// HELP/TYPE, label escaping, cumulative buckets closed by +Inf), registration rules, exact counts
// under concurrent updates; and the test parser (support/prometheus_text.hpp) refusing bad text.
#include "core/metrics.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/prometheus_text.hpp"

using namespace ide::core::metrics;
using ide::test::histogram_problems;
using ide::test::parse_exposition;

TEST_CASE("counters and gauges are exposed with HELP, TYPE and escaped labels",
          "[core][metrics]") {
  Registry registry;
  auto& requests = registry.counter("app_requests_total", "Requests.\nBy path \\ method.",
                                    {"path", "method"});
  requests.with({"/a", "GET"}).inc();
  requests.with({"/a", "GET"}).inc(2);
  requests.with({"say \"hi\"\nback\\slash", "POST"}).inc();
  registry.gauge("app_temperature", "Degrees.").with({}).set(-1.5);
  registry.counter("app_idle_total", "Never incremented.");

  CHECK(registry.expose() ==
        "# HELP app_requests_total Requests.\\nBy path \\\\ method.\n"
        "# TYPE app_requests_total counter\n"
        "app_requests_total{path=\"/a\",method=\"GET\"} 3\n"
        "app_requests_total{path=\"say \\\"hi\\\"\\nback\\\\slash\",method=\"POST\"} 1\n"
        "# HELP app_temperature Degrees.\n"
        "# TYPE app_temperature gauge\n"
        "app_temperature -1.5\n"
        "# HELP app_idle_total Never incremented.\n"
        "# TYPE app_idle_total counter\n"
        "app_idle_total 0\n");
  // The parser gives the label back unescaped.
  const auto parsed = parse_exposition(registry.expose());
  CHECK(parsed.value("app_requests_total", {{"path", "say \"hi\"\nback\\slash"},
                                            {"method", "POST"}}) == 1);
  CHECK(parsed.types.at("app_temperature") == "gauge");
}

TEST_CASE("a histogram's buckets are cumulative, inclusive and closed by +Inf",
          "[core][metrics]") {
  Registry registry;
  auto& latency = registry.histogram("app_seconds", "Latency.", {"route"}, {0.25, 1, 2.5});
  for (double value : {0.125, 0.25, 0.5, 3.0, 100.0}) latency.with({"/x"}).observe(value);

  CHECK(registry.expose() ==
        "# HELP app_seconds Latency.\n"
        "# TYPE app_seconds histogram\n"
        "app_seconds_bucket{route=\"/x\",le=\"0.25\"} 2\n"
        "app_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
        "app_seconds_bucket{route=\"/x\",le=\"2.5\"} 3\n"
        "app_seconds_bucket{route=\"/x\",le=\"+Inf\"} 5\n"
        "app_seconds_sum{route=\"/x\"} 103.875\n"
        "app_seconds_count{route=\"/x\"} 5\n");
  const auto parsed = parse_exposition(registry.expose());
  CHECK(histogram_problems(parsed).empty());
  CHECK(latency.with({"/x"}).snapshot().count() == 5);

  // Without labels, `le` is the only one.
  registry.histogram("app_bytes", "Sizes.", {}, {10}).with({}).observe(11);
  CHECK(registry.expose().find("app_bytes_bucket{le=\"+Inf\"} 1\napp_bytes_sum 11\n") !=
        std::string::npos);
}

TEST_CASE("registration is idempotent, and refuses what Prometheus would not accept",
          "[core][metrics]") {
  Registry registry;
  auto& first = registry.counter("app_total", "Help.", {"a"});
  CHECK(&registry.counter("app_total", "Other help.", {"a"}) == &first);
  CHECK_THROWS_AS(registry.counter("app_total", "Help.", {"b"}), std::logic_error);
  CHECK_THROWS_AS(registry.gauge("app_total", "Help.", {"a"}), std::logic_error);
  CHECK_THROWS_AS(registry.counter("1app", "Help."), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("app-x", "Help."), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("app_y", "Help.", {"__reserved"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("app_h", "Help.", {"le"}, {1}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("app_h", "Help.", {}, {2, 1}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("app_h", "Help.", {}, {}), std::invalid_argument);
  CHECK_THROWS_AS(first.with({"x", "y"}), std::invalid_argument);
  CHECK_THROWS_AS(first.with({}), std::invalid_argument);
}

TEST_CASE("numbers are written as the format wants them", "[core][metrics]") {
  CHECK(format_value(0.005) == "0.005");
  CHECK(format_value(2) == "2");
  CHECK(format_value(1e-9) == "1e-09");
  CHECK(format_value(HUGE_VAL) == "+Inf");
  CHECK(format_value(-HUGE_VAL) == "-Inf");
  CHECK(format_value(NAN) == "NaN");
  CHECK(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
}

TEST_CASE("concurrent updates are all counted and a scrape meanwhile stays consistent",
          "[core][metrics]") {
  Registry registry;
  auto& counter = registry.counter("app_events_total", "Events.", {"worker"});
  auto& histogram = registry.histogram("app_seconds", "Durations.", {}, duration_buckets());
  constexpr int kThreads = 4;
  constexpr int kEach = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string label = std::to_string(t % 2);
      for (int i = 0; i < kEach; ++i) {
        counter.with({label}).inc();
        histogram.with({}).observe(i % 100 * 0.001);
      }
    });
  }
  // Scraped while the others write: each text parses and its histogram adds up.
  for (int scrape = 0; scrape < 20; ++scrape) {
    const auto parsed = parse_exposition(registry.expose());
    CHECK(histogram_problems(parsed).empty());
  }
  for (std::thread& thread : threads) thread.join();
  const auto parsed = parse_exposition(registry.expose());
  CHECK(parsed.value("app_events_total", {{"worker", "0"}}) == kThreads / 2 * kEach);
  CHECK(parsed.value("app_events_total", {{"worker", "1"}}) == kThreads / 2 * kEach);
  CHECK(parsed.value("app_seconds_count") == kThreads * kEach);
  CHECK(parsed.value("app_seconds_bucket", {{"le", "0.001"}}) == kThreads * kEach / 100 * 2);
}

TEST_CASE("the test parser refuses text that breaks the format", "[core][metrics]") {
  CHECK_NOTHROW(parse_exposition("# TYPE a counter\na 1\n\n# free comment\n"));
  CHECK_NOTHROW(parse_exposition("# TYPE a counter\na{x=\"1\"} 1 1700000000000\n"));
  CHECK_THROWS(parse_exposition("a 1\n"));                                    // no TYPE
  CHECK_THROWS(parse_exposition("# TYPE a counter\na 1"));                    // no newline
  CHECK_THROWS(parse_exposition("# TYPE a counter\na{x=\"\\t\"} 1\n"));       // bad escape
  CHECK_THROWS(parse_exposition("# TYPE a counter\na{x=\"1\",} 1\n"));        // trailing comma
  CHECK_THROWS(parse_exposition("# TYPE a counter\na{x=1} 1\n"));             // unquoted
  CHECK_THROWS(parse_exposition("# TYPE a counter\na one\n"));                // no number
  CHECK_THROWS(parse_exposition("# TYPE a counter\n# TYPE a gauge\na 1\n"));  // typed twice
  CHECK_THROWS(parse_exposition("# TYPE a counter\n# TYPE b counter\na 1\nb 1\na 2\n"));
  const std::string not_cumulative =
      "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n";
  CHECK_FALSE(histogram_problems(parse_exposition(not_cumulative)).empty());
  const std::string no_inf = "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_sum 1\nh_count 3\n";
  CHECK_FALSE(histogram_problems(parse_exposition(no_inf)).empty());
}
