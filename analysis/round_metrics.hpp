#pragma once
// Per-round metrics of a scenario, declared once: each metric is a series `<name>_t` (NaN at
// round 0, before anything happens) and a scalar `<name>`, the mean over rounds 1..T of its
// finite values (rounds where it is undefined, e.g. a price without sales, are skipped).
// A scenario sets this round's values, closes the round, and records / finishes through it.
#include <fmt/format.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sim/scenario.hpp"

namespace marketsim::analysis {

struct RoundMetric {
  const char* name;
  const char* unit;
  const char* doc;
};

class RoundMetrics {
 public:
  explicit RoundMetrics(std::span<const RoundMetric> metrics)
      : metrics_(metrics), now_(metrics.size(), kNaN), sums_(metrics.size(), 0.0), counts_(metrics.size(), 0) {}

  // The scalars (means over rounds) and the series, each in the metrics' order.
  static void declare_scalars(ScenarioInfo& info, std::span<const RoundMetric> metrics) {
    for (const auto& m : metrics) info.scalar(m.name, m.unit, fmt::format("{}, mean over rounds 1..T (NaN rounds skipped)", m.doc));
  }
  static void declare_series(ScenarioInfo& info, std::span<const RoundMetric> metrics) {
    for (const auto& m : metrics) info.series_output(fmt::format("{}_t", m.name), m.unit, fmt::format("{} (NaN at round 0)", m.doc));
  }

  double& operator[](std::size_t metric) { return now_[metric]; }  // this round's value
  double operator[](std::size_t metric) const { return now_[metric]; }

  // Adds this round's finite values to the means.
  void close_round() {
    for (std::size_t m = 0; m < now_.size(); ++m)
      if (std::isfinite(now_[m])) sums_[m] += now_[m], ++counts_[m];
  }
  void record(Run& run) const {
    for (std::size_t m = 0; m < now_.size(); ++m) run.record(fmt::format("{}_t", metrics_[m].name), now_[m]);
  }
  void finish(Run& run) const {
    for (std::size_t m = 0; m < now_.size(); ++m)
      run.set(metrics_[m].name, counts_[m] > 0 ? sums_[m] / static_cast<double>(counts_[m]) : kNaN);
  }

 private:
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::span<const RoundMetric> metrics_;
  std::vector<double> now_, sums_;
  std::vector<std::int64_t> counts_;
};

}  // namespace marketsim::analysis
