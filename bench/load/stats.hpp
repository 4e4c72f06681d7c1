// Latencies and errors of one route, merged across client processes and summarised as
// count, errors by kind and p50/p99/max.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace ide::bench {

struct RouteStats {
  std::vector<double> latencies_ms;  // of the answers that were right
  std::map<std::string, int> errors;  // kind ("status 503", "wrong output", "connection: ...")

  void ok(double ms) { latencies_ms.push_back(ms); }
  void fail(const std::string& kind) { ++errors[kind]; }
  int error_count() const;
  int count() const { return static_cast<int>(latencies_ms.size()) + error_count(); }

  void merge(const RouteStats& other);
  boost::json::value to_json() const;  // raw, for the parent process
  static RouteStats from_json(const boost::json::value& value);
  /// {count, ok, errors, errors_by_kind, p50_ms, p99_ms, max_ms, rate_per_s (if seconds > 0)}
  boost::json::value summary(double seconds) const;
};

/// Nearest-rank percentile (0 < p <= 1) of `values`; 0 when empty.
double percentile(std::vector<double> values, double p);

}  // namespace ide::bench
