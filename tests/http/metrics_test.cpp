// GET /metrics on the real server over loopback (with fakes of the modules): the text parses as
// exposition format 0.0.4, and a submit, a result, a 404 and a 405 move
// ide_http_requests_total{route,method,status} and the latency histogram by one each, labelled
// by route pattern (never the raw path); the queue gauges come from the result module.
#include <catch2/catch.hpp>

#include "support/http_test_server.hpp"
#include "support/prometheus_text.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::Exposition;
using test::HttpTestServer;
using test::MetricLabels;

namespace {

Exposition scrape(const HttpTestServer& server) {
  const Answer answer = test::get(server.port(), "/metrics");
  REQUIRE(answer.status == 200);
  CHECK(answer.header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
  Exposition parsed = test::parse_exposition(answer.body);
  INFO(answer.body);
  CHECK(test::histogram_problems(parsed).empty());
  return parsed;
}

double requests(const Exposition& parsed, const std::string& route, const std::string& method,
                const std::string& status) {
  return parsed.value("ide_http_requests_total",
                      {{"route", route}, {"method", method}, {"status", status}});
}

double latency_count(const Exposition& parsed, const std::string& route) {
  return parsed.value("ide_http_request_duration_seconds_count", {{"route", route}});
}

}  // namespace

TEST_CASE("GET /metrics counts requests by route pattern and status", "[http][metrics]") {
  HttpTestServer server;
  const std::string submit_route = "/api/v1/submissions";
  const std::string result_route = "/api/v1/submissions/{id}/result";
  const Exposition before = scrape(server);

  const Answer submitted =
      test::post(server.port(), submit_route, R"j({"language": "python", "code": "print(1)"})j");
  REQUIRE(submitted.status == 202);
  const std::string id(submitted.json().at("id").as_string());
  CHECK(test::get(server.port(), "/api/v1/submissions/" + id + "/result").status == 200);
  CHECK(test::get(server.port(), "/no/such/path/" + id).status == 404);
  test::Connection connection(server.port());
  CHECK(connection.request(boost::beast::http::verb::delete_, submit_route).status == 405);

  const Exposition after = scrape(server);
  CHECK(requests(after, submit_route, "POST", "202") ==
        requests(before, submit_route, "POST", "202") + 1);
  CHECK(requests(after, result_route, "GET", "200") ==
        requests(before, result_route, "GET", "200") + 1);
  CHECK(requests(after, "unmatched", "GET", "404") ==
        requests(before, "unmatched", "GET", "404") + 1);
  CHECK(requests(after, "unmatched", "DELETE", "405") ==
        requests(before, "unmatched", "DELETE", "405") + 1);
  CHECK(latency_count(after, submit_route) == latency_count(before, submit_route) + 1);
  CHECK(latency_count(after, result_route) == latency_count(before, result_route) + 1);
  // The first scrape is counted too, once its answer was written.
  CHECK(requests(after, "/metrics", "GET", "200") >= 1);
  CHECK(after.types.at("ide_http_requests_total") == "counter");
  CHECK(after.types.at("ide_http_request_duration_seconds") == "histogram");

  // Labels hold patterns, never ids: the number of series cannot grow with the traffic.
  for (const test::MetricSample& sample : after.samples) {
    for (const auto& [name, value] : sample.labels) {
      INFO(sample.name << " " << name << "=" << value);
      CHECK(value.find(id) == std::string::npos);
    }
  }
}

TEST_CASE("GET /metrics shows the queue as the result module reports it", "[http][metrics]") {
  HttpTestServer server;
  // Two jobs the result module holds as queued.
  REQUIRE(server.results.enqueue("queued-one"));
  REQUIRE(server.results.enqueue("queued-two"));
  const Exposition parsed = scrape(server);
  CHECK(parsed.types.at("ide_queue_depth") == "gauge");
  CHECK(parsed.value("ide_queue_depth") == 2);
  CHECK(parsed.find("ide_queue_oldest_age_seconds").has_value());
  CHECK(parsed.find("ide_queue_running_jobs", MetricLabels{{"lease", "live"}}) == 0);
  CHECK(parsed.find("ide_queue_running_jobs", MetricLabels{{"lease", "expired"}}) == 0);
  // HEAD answers like GET, without the text.
  test::Connection connection(server.port());
  const Answer head = connection.request(boost::beast::http::verb::head, "/metrics");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
}
