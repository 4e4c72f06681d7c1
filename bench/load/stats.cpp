#include "stats.hpp"

#include <algorithm>
#include <cmath>

#include <boost/json.hpp>

namespace ide::bench {

namespace json = boost::json;

int RouteStats::error_count() const {
  int total = 0;
  for (const auto& [kind, n] : errors) total += n;
  return total;
}

void RouteStats::merge(const RouteStats& other) {
  latencies_ms.insert(latencies_ms.end(), other.latencies_ms.begin(), other.latencies_ms.end());
  for (const auto& [kind, n] : other.errors) errors[kind] += n;
}

json::value RouteStats::to_json() const {
  json::array latencies(latencies_ms.begin(), latencies_ms.end());
  json::object kinds;
  for (const auto& [kind, n] : errors) kinds[kind] = n;
  return json::object{{"latencies_ms", std::move(latencies)}, {"errors", std::move(kinds)}};
}

RouteStats RouteStats::from_json(const json::value& value) {
  RouteStats stats;
  const json::object& object = value.as_object();
  for (const auto& ms : object.at("latencies_ms").as_array()) stats.ok(ms.to_number<double>());
  for (const auto& [kind, n] : object.at("errors").as_object()) {
    stats.errors[std::string(kind)] += static_cast<int>(n.to_number<std::int64_t>());
  }
  return stats;
}

json::value RouteStats::summary(double seconds) const {
  json::object kinds;
  for (const auto& [kind, n] : errors) kinds[kind] = n;
  const double max = latencies_ms.empty() ? 0 : *std::max_element(latencies_ms.begin(), latencies_ms.end());
  json::object out{{"count", count()},
                   {"ok", latencies_ms.size()},
                   {"errors", error_count()},
                   {"errors_by_kind", std::move(kinds)},
                   {"p50_ms", percentile(latencies_ms, 0.50)},
                   {"p99_ms", percentile(latencies_ms, 0.99)},
                   {"max_ms", max}};
  if (seconds > 0) out["rate_per_s"] = static_cast<double>(latencies_ms.size()) / seconds;
  return out;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

}  // namespace ide::bench
