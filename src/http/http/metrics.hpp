// The HTTP side of the Prometheus metrics: each answered request by route, method and status
// with its latency, and the body of GET /metrics (the process's registry plus the queue).
#pragma once

#include <chrono>
#include <string_view>

#include "http/message.hpp"
#include "result/result_service.hpp"

namespace ide::http {

/// The route label of a request no route took (404, 405, OPTIONS, unreadable): one value, so
/// that clients probing random paths cannot grow the number of series.
inline constexpr std::string_view kUnmatchedRoute = "unmatched";

/// Counts one answered request in ide_http_requests_total{route,method,status} and observes
/// `elapsed` in ide_http_request_duration_seconds{route}. `route` is the route's pattern (e.g.
/// "/api/v1/submissions/{id}/result") or kUnmatchedRoute. Thread-safe.
void record_request(std::string_view route, std::string_view method, unsigned status,
                    std::chrono::steady_clock::duration elapsed);

/// The answer of GET /metrics: the process's metrics and the shared queue's depth, oldest age
/// and leases from `results` (left out when it cannot be read), in the text format 0.0.4.
Response metrics_response(result::ResultService& results);

}  // namespace ide::http
