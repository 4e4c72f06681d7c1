// A strict parser of Prometheus' text exposition format 0.0.4 for the tests of GET /metrics and
// of core/metrics: every line a comment or `name{labels} value`, every sample's family typed,
// histograms cumulative and closed by +Inf. Header-only.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ide::test {

using MetricLabels = std::map<std::string, std::string>;

struct MetricSample {
  std::string name;
  MetricLabels labels;
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family name -> counter, gauge, histogram, ...
  std::map<std::string, std::string> help;
  std::vector<MetricSample> samples;  // in the order of the text

  /// The sample of `name` with exactly `labels`, if there is one.
  std::optional<double> find(const std::string& name, const MetricLabels& labels = {}) const {
    for (const MetricSample& sample : samples) {
      if (sample.name == name && sample.labels == labels) return sample.value;
    }
    return std::nullopt;
  }
  /// As find(), 0 when absent (a counter not yet incremented).
  double value(const std::string& name, const MetricLabels& labels = {}) const {
    return find(name, labels).value_or(0);
  }
  /// The samples of `name` whose labels include `subset`.
  std::vector<MetricSample> matching(const std::string& name, const MetricLabels& subset) const {
    std::vector<MetricSample> found;
    for (const MetricSample& sample : samples) {
      bool all = sample.name == name;
      for (const auto& [key, wanted] : subset) {
        auto it = sample.labels.find(key);
        all = all && it != sample.labels.end() && it->second == wanted;
      }
      if (all) found.push_back(sample);
    }
    return found;
  }
};

namespace detail {

inline double parse_metric_value(const std::string& text) {
  if (text == "+Inf") return HUGE_VAL;
  if (text == "-Inf") return -HUGE_VAL;
  if (text == "NaN") return NAN;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value)) {
    throw std::runtime_error("not a sample value: '" + text + "'");
  }
  return value;
}

/// Reads `{name="value",...}` from `line` at `at` (just past '{'), unescaping the values.
inline MetricLabels parse_metric_labels(const std::string& line, std::size_t& at) {
  static const std::regex label_name("[a-zA-Z_][a-zA-Z0-9_]*");
  MetricLabels labels;
  while (at < line.size() && line[at] != '}') {
    const std::size_t equals = line.find('=', at);
    if (equals == std::string::npos) throw std::runtime_error("a label without '='");
    const std::string name = line.substr(at, equals - at);
    if (!std::regex_match(name, label_name)) throw std::runtime_error("bad label name " + name);
    if (equals + 1 >= line.size() || line[equals + 1] != '"') {
      throw std::runtime_error("label value not quoted");
    }
    std::string value;
    at = equals + 2;
    for (; at < line.size() && line[at] != '"'; ++at) {
      if (line[at] != '\\') {
        value += line[at];
        continue;
      }
      const char escaped = ++at < line.size() ? line[at] : '\0';
      if (escaped == 'n') {
        value += '\n';
      } else if (escaped == '\\' || escaped == '"') {
        value += escaped;
      } else {
        throw std::runtime_error("bad escape in a label value");
      }
    }
    if (at >= line.size()) throw std::runtime_error("unterminated label value");
    if (!labels.emplace(name, value).second) throw std::runtime_error("label repeated: " + name);
    ++at;  // past the closing quote
    if (at < line.size() && line[at] == ',') {
      ++at;
      if (at < line.size() && line[at] == '}') throw std::runtime_error("trailing comma");
    } else if (at >= line.size() || line[at] != '}') {
      throw std::runtime_error("expected ',' or '}' after a label");
    }
  }
  if (at >= line.size()) throw std::runtime_error("unterminated label set");
  ++at;  // past '}'
  return labels;
}

inline MetricSample parse_metric_sample(const std::string& line) {
  static const std::regex metric_name("[a-zA-Z_:][a-zA-Z0-9_:]*");
  MetricSample sample;
  std::size_t at = line.find_first_of("{ ");
  if (at == std::string::npos) throw std::runtime_error("a sample without a value");
  sample.name = line.substr(0, at);
  if (!std::regex_match(sample.name, metric_name)) {
    throw std::runtime_error("bad metric name '" + sample.name + "'");
  }
  if (line[at] == '{') sample.labels = parse_metric_labels(line, ++at);
  if (at >= line.size() || line[at] != ' ') throw std::runtime_error("expected ' ' before value");
  const std::string rest = line.substr(at + 1);
  // An optional timestamp (integer milliseconds) may follow the value.
  const std::size_t space = rest.find(' ');
  sample.value = parse_metric_value(rest.substr(0, space));
  if (space != std::string::npos) {
    const std::string stamp = rest.substr(space + 1);
    if (!std::regex_match(stamp, std::regex("-?[0-9]+"))) {
      throw std::runtime_error("bad timestamp '" + stamp + "'");
    }
  }
  return sample;
}

/// The family a sample belongs to: its name, or a histogram's name for _bucket/_sum/_count.
inline std::string family_of(const Exposition& exposition, const std::string& name) {
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(),
                                                     suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string base = name.substr(0, name.size() - suffix.size());
    auto it = exposition.types.find(base);
    if (it != exposition.types.end() && it->second == "histogram") return base;
  }
  return name;
}

inline void parse_metric_comment(Exposition& exposition, const std::string& line) {
  static const std::regex directive("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)");
  std::smatch match;
  if (!std::regex_match(line, match, directive)) return;  // a plain comment
  auto& table = match[1] == "HELP" ? exposition.help : exposition.types;
  if (!table.emplace(match[2], match[3]).second) {
    throw std::runtime_error(std::string(match[1]) + " repeated for " + std::string(match[2]));
  }
  static const std::set<std::string> kinds{"counter", "gauge", "histogram", "summary", "untyped"};
  if (match[1] == "TYPE" && kinds.count(match[3]) == 0) {
    throw std::runtime_error("unknown type " + std::string(match[3]));
  }
}

}  // namespace detail

/// Parses `text`, checking each line and that a sample's # TYPE comes before it and its family's
/// samples are together. Throws std::runtime_error naming the first bad line.
inline Exposition parse_exposition(const std::string& text) {
  Exposition exposition;
  std::set<std::string> finished;  // families whose samples are over
  std::string current;
  std::size_t start = 0;
  for (int number = 1; start < text.size(); ++number) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) throw std::runtime_error("the last line has no newline");
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    try {
      if (line.empty()) continue;
      if (line[0] == '#') {
        detail::parse_metric_comment(exposition, line);
        continue;
      }
      MetricSample sample = detail::parse_metric_sample(line);
      const std::string family = detail::family_of(exposition, sample.name);
      if (exposition.types.count(family) == 0) throw std::runtime_error("no # TYPE before it");
      if (family != current) {
        if (finished.count(family) > 0) throw std::runtime_error("its family was interrupted");
        if (!current.empty()) finished.insert(current);
        current = family;
      }
      exposition.samples.push_back(std::move(sample));
    } catch (const std::exception& e) {
      throw std::runtime_error("line " + std::to_string(number) + " '" + line + "': " + e.what());
    }
  }
  return exposition;
}

/// What is wrong with the histograms of `exposition` (empty when nothing): per series, buckets
/// with ascending `le`, cumulative counts, a last bucket +Inf equal to _count, and a _sum.
inline std::vector<std::string> histogram_problems(const Exposition& exposition) {
  std::vector<std::string> problems;
  for (const auto& [family, type] : exposition.types) {
    if (type != "histogram") continue;
    std::map<MetricLabels, std::vector<std::pair<double, double>>> buckets;  // series -> (le, n)
    for (const MetricSample& sample : exposition.samples) {
      if (sample.name != family + "_bucket") continue;
      MetricLabels series = sample.labels;
      auto le = series.find("le");
      if (le == series.end()) {
        problems.push_back(family + ": a bucket without le");
        continue;
      }
      const double bound = detail::parse_metric_value(le->second);
      series.erase(le);
      buckets[series].emplace_back(bound, sample.value);
    }
    for (const auto& [series, list] : buckets) {
      for (std::size_t i = 1; i < list.size(); ++i) {
        if (!(list[i].first > list[i - 1].first)) problems.push_back(family + ": le not ascending");
        if (list[i].second < list[i - 1].second) problems.push_back(family + ": not cumulative");
      }
      const auto count = exposition.find(family + "_count", series);
      if (list.back().first != HUGE_VAL) problems.push_back(family + ": no +Inf bucket last");
      if (!count || *count != list.back().second) {
        problems.push_back(family + ": +Inf bucket differs from _count");
      }
      if (!exposition.find(family + "_sum", series)) problems.push_back(family + ": no _sum");
    }
  }
  return problems;
}

}  // namespace ide::test
