#include "http/metrics.hpp"

#include <string>

#include "core/metrics.hpp"

namespace ide::http {

namespace metrics = core::metrics;

namespace {

/// The shared queue as gauges, in a registry of their own made for one scrape.
std::string queue_gauges(const result::QueueStats& stats) {
  metrics::Registry scrape;
  scrape.gauge("ide_queue_depth", "Jobs waiting in the shared queue.")
      .with({})
      .set(static_cast<double>(stats.queued));
  scrape
      .gauge("ide_queue_oldest_age_seconds",
             "Age of the oldest queued job; 0 when nothing is queued.")
      .with({})
      .set(static_cast<double>(stats.oldest_queued_age_ms.value_or(0)) / 1000.0);
  auto& leases = scrape.gauge("ide_queue_running_jobs",
                              "Jobs running under a lease: live (its worker renews it) or expired "
                              "(its worker stopped; the job runs again soon).",
                              {"lease"});
  leases.with({"live"}).set(static_cast<double>(stats.live_leases));
  leases.with({"expired"}).set(static_cast<double>(stats.expired_leases));
  return scrape.expose();
}

}  // namespace

void record_request(std::string_view route, std::string_view method, unsigned status,
                    std::chrono::steady_clock::duration elapsed) {
  static auto& requests = metrics::process_registry().counter(
      "ide_http_requests_total", "HTTP requests answered, by route pattern, method and status.",
      {"route", "method", "status"});
  static auto& durations = metrics::process_registry().histogram(
      "ide_http_request_duration_seconds",
      "Time from a request's headers to its answer, by route pattern (long polls included).",
      {"route"}, metrics::duration_buckets());
  requests.with({route, method, std::to_string(status)}).inc();
  durations.with({route}).observe(std::chrono::duration<double>(elapsed).count());
}

Response metrics_response(result::ResultService& results) {
  Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics::process_registry().expose();
  if (auto stats = results.queue_stats()) response.body += queue_gauges(*stats);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace ide::http
