// Prometheus metrics: counters, gauges and fixed-bucket histograms with labels, kept in a
// registry that renders the text exposition format 0.0.4 (what GET /metrics answers).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ide::core::metrics {

/// A count that only goes up. Thread-safe, lock-free.
class Counter {
 public:
  void inc(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down. Thread-safe, lock-free.
class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

/// Observations counted into buckets with fixed upper bounds (inclusive, as Prometheus' `le`),
/// plus their sum. Thread-safe, lock-free.
class Histogram {
 public:
  /// `bounds` ascending and finite; it must outlive the histogram (its family keeps it).
  explicit Histogram(const std::vector<double>& bounds);

  void observe(double value);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then the +Inf bucket (== count)
    double sum = 0;
    std::uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
  };
  Snapshot snapshot() const;

 private:
  const std::vector<double>& bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // one per bucket, not cumulative
  std::atomic<double> sum_{0};
};

namespace detail {

/// Orders label-value lists, and compares them with a list of views without copying it.
struct LabelValuesLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    const auto less = [](std::string_view x, std::string_view y) { return x < y; };
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), less);
  }
};

}  // namespace detail

enum class Kind { counter, gauge, histogram };

/// One metric name, its help text and label names, and a series per distinct label values.
class FamilyBase {
 public:
  FamilyBase(Kind kind, std::string name, std::string help, std::vector<std::string> label_names,
             std::vector<double> bounds);
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;
  virtual ~FamilyBase() = default;

  Kind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }

  /// Appends the family in the text exposition format: # HELP, # TYPE, then its samples.
  void expose(std::string& out) const;

 protected:
  /// Throws std::invalid_argument unless there is one value per label name.
  void check_arity(std::size_t values) const;
  virtual void expose_series(std::string& out) const = 0;
  /// `name_suffix{labels,extra} value` as a line of `out`.
  void sample(std::string& out, std::string_view suffix, const std::vector<std::string>& values,
              std::string_view extra_label, std::string_view value) const;

  mutable std::mutex mutex_;  // guards the series of the derived family

 private:
  const Kind kind_;
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;  // histograms only
};

/// The series of one metric name. with() is the hot path: one short lock and a lookup that
/// copies nothing when the series exists. Thread-safe.
template <typename Metric>
class Family final : public FamilyBase {
 public:
  using FamilyBase::FamilyBase;

  /// The series for `values` (one per label name, in order), created at first use. The reference
  /// lives as long as the registry. Throws std::invalid_argument for a wrong number of values.
  Metric& with(std::initializer_list<std::string_view> values) {
    check_arity(values.size());
    std::lock_guard lock(mutex_);
    auto it = series_.find(values);
    if (it == series_.end()) {
      it = series_.emplace(std::vector<std::string>(values.begin(), values.end()), make()).first;
    }
    return *it->second;
  }

 private:
  std::unique_ptr<Metric> make() const {
    if constexpr (std::is_same_v<Metric, Histogram>) {
      return std::make_unique<Histogram>(bounds());
    } else {
      return std::make_unique<Metric>();
    }
  }
  void expose_series(std::string& out) const override;

  std::map<std::vector<std::string>, std::unique_ptr<Metric>, detail::LabelValuesLess> series_;
};

template <>
void Family<Counter>::expose_series(std::string& out) const;
template <>
void Family<Gauge>::expose_series(std::string& out) const;
template <>
void Family<Histogram>::expose_series(std::string& out) const;
extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

/// The families of a process (or of a test), rendered together. Names are unique: asking again
/// for a name gives the same family when kind, labels and buckets agree, and throws
/// std::logic_error when they do not. Families are never removed. Thread-safe.
class Registry {
 public:
  /// Throws std::invalid_argument for a name or label name Prometheus does not accept.
  Family<Counter>& counter(std::string_view name, std::string_view help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(std::string_view name, std::string_view help,
                       std::vector<std::string> label_names = {});
  /// `bounds`: the buckets' upper bounds, ascending and finite; +Inf is implied.
  Family<Histogram>& histogram(std::string_view name, std::string_view help,
                               std::vector<std::string> label_names, std::vector<double> bounds);

  /// Every family in the text exposition format 0.0.4, in the order they were registered.
  std::string expose() const;

 private:
  FamilyBase& add(std::unique_ptr<FamilyBase> family);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
};

/// This process's registry: what its GET /metrics shows. The modules and the HTTP server record
/// into it; in a split deployment each process has its own.
Registry& process_registry();

/// `value` as the exposition format writes numbers: shortest round-trip, +Inf, -Inf, NaN.
std::string format_value(double value);

/// `value` escaped for a label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

/// Buckets for durations in seconds, from 1 ms to 60 s.
std::vector<double> duration_buckets();

}  // namespace ide::core::metrics
