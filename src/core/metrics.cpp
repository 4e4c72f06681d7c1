#include "core/metrics.hpp"

#include <cctype>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace ide::core::metrics {

namespace {

bool is_name(std::string_view name, bool colons) {
  const auto allowed = [colons](char c, bool first) {
    const auto byte = static_cast<unsigned char>(c);
    return std::isalpha(byte) || c == '_' || (colons && c == ':') ||
           (!first && std::isdigit(byte));
  };
  if (name.empty() || !allowed(name.front(), true)) return false;
  return std::all_of(name.begin() + 1, name.end(), [&](char c) { return allowed(c, false); });
}

void check_names(std::string_view name, const std::vector<std::string>& label_names,
                 Kind kind) {
  if (!is_name(name, true)) {
    throw std::invalid_argument(fmt::format("metric name '{}' is not valid", name));
  }
  for (const std::string& label : label_names) {
    const bool reserved = label.rfind("__", 0) == 0 || (kind == Kind::histogram && label == "le");
    if (!is_name(label, false) || reserved) {
      throw std::invalid_argument(fmt::format("label name '{}' of {} is not valid", label, name));
    }
  }
}

void check_bounds(std::string_view name, const std::vector<double>& bounds) {
  const bool ascending = std::adjacent_find(bounds.begin(), bounds.end(),
                                            std::greater_equal<>()) == bounds.end();
  const bool finite =
      std::all_of(bounds.begin(), bounds.end(), [](double bound) { return std::isfinite(bound); });
  if (bounds.empty() || !ascending || !finite) {
    throw std::invalid_argument(
        fmt::format("the buckets of {} must be finite and strictly ascending", name));
  }
}

std::string_view type_name(Kind kind) {
  switch (kind) {
    case Kind::counter:
      return "counter";
    case Kind::gauge:
      return "gauge";
    case Kind::histogram:
      return "histogram";
  }
  return "untyped";
}

/// Backslash and newline escaped, and double quotes too when `quotes` (label values; HELP text
/// keeps its quotes).
std::string escape(std::string_view text, bool quotes) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else if (c == '"' && quotes) {
      escaped += "\\\"";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double value) {
  // NaN belongs to no finite bucket; lower_bound would put it in the first.
  const std::size_t bucket =
      std::isnan(value) ? bounds_.size()
                        : static_cast<std::size_t>(
                              std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                              bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  std::uint64_t running = 0;
  // The count is the +Inf bucket, summed here: it equals the buckets even while others observe.
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

FamilyBase::FamilyBase(Kind kind, std::string name, std::string help,
                       std::vector<std::string> label_names, std::vector<double> bounds)
    : kind_(kind),
      name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      bounds_(std::move(bounds)) {
  check_names(name_, label_names_, kind_);
  if (kind_ == Kind::histogram) check_bounds(name_, bounds_);
}

void FamilyBase::check_arity(std::size_t values) const {
  if (values != label_names_.size()) {
    throw std::invalid_argument(fmt::format("{} has {} labels, not {}", name_,
                                            label_names_.size(), values));
  }
}

void FamilyBase::expose(std::string& out) const {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name_,
                 escape(help_, false), name_, type_name(kind_));
  std::lock_guard lock(mutex_);
  expose_series(out);
}

void FamilyBase::sample(std::string& out, std::string_view suffix,
                        const std::vector<std::string>& values, std::string_view extra_label,
                        std::string_view value) const {
  out += name_;
  out += suffix;
  if (!values.empty() || !extra_label.empty()) {
    out += '{';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      fmt::format_to(std::back_inserter(out), "{}=\"{}\"", label_names_[i],
                     escape_label_value(values[i]));
    }
    if (!values.empty() && !extra_label.empty()) out += ',';
    out += extra_label;
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

template <>
void Family<Counter>::expose_series(std::string& out) const {
  for (const auto& [values, counter] : series_) {
    sample(out, "", values, "", std::to_string(counter->value()));
  }
}

template <>
void Family<Gauge>::expose_series(std::string& out) const {
  for (const auto& [values, gauge] : series_) {
    sample(out, "", values, "", format_value(gauge->value()));
  }
}

template <>
void Family<Histogram>::expose_series(std::string& out) const {
  for (const auto& [values, histogram] : series_) {
    const Histogram::Snapshot snapshot = histogram->snapshot();
    for (std::size_t i = 0; i < snapshot.cumulative.size(); ++i) {
      const std::string le = i < bounds().size() ? format_value(bounds()[i]) : "+Inf";
      sample(out, "_bucket", values, "le=\"" + le + "\"",
             std::to_string(snapshot.cumulative[i]));
    }
    sample(out, "_sum", values, "", format_value(snapshot.sum));
    sample(out, "_count", values, "", std::to_string(snapshot.count()));
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

FamilyBase& Registry::add(std::unique_ptr<FamilyBase> family) {
  std::lock_guard lock(mutex_);
  for (const auto& existing : families_) {
    if (existing->name() != family->name()) continue;
    if (existing->kind() != family->kind() || existing->label_names() != family->label_names() ||
        existing->bounds() != family->bounds()) {
      throw std::logic_error("metric " + family->name() + " is registered twice, differently");
    }
    return *existing;
  }
  return *families_.emplace_back(std::move(family));
}

Family<Counter>& Registry::counter(std::string_view name, std::string_view help,
                                   std::vector<std::string> label_names) {
  const bool unlabelled = label_names.empty();
  auto& family = static_cast<Family<Counter>&>(add(std::make_unique<Family<Counter>>(
      Kind::counter, std::string(name), std::string(help), std::move(label_names),
      std::vector<double>{})));
  // A counter without labels is shown (as 0) before its first event.
  if (unlabelled) family.with({});
  return family;
}

Family<Gauge>& Registry::gauge(std::string_view name, std::string_view help,
                               std::vector<std::string> label_names) {
  const bool unlabelled = label_names.empty();
  auto& family = static_cast<Family<Gauge>&>(
      add(std::make_unique<Family<Gauge>>(Kind::gauge, std::string(name), std::string(help),
                                          std::move(label_names), std::vector<double>{})));
  if (unlabelled) family.with({});
  return family;
}

Family<Histogram>& Registry::histogram(std::string_view name, std::string_view help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> bounds) {
  return static_cast<Family<Histogram>&>(add(std::make_unique<Family<Histogram>>(
      Kind::histogram, std::string(name), std::string(help), std::move(label_names),
      std::move(bounds))));
}

std::string Registry::expose() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& family : families_) family->expose(out);
  return out;
}

Registry& process_registry() {
  static Registry registry;
  return registry;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

std::string escape_label_value(std::string_view value) { return escape(value, true); }

std::vector<double> duration_buckets() {
  return {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace ide::core::metrics
