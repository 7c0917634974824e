#pragma once
// Inequality metrics.
#include <cstdint>
#include <span>
#include <vector>

namespace marketsim::analysis {

// Gini coefficient of values sorted ascending: G = 2 sum_i i x_(i) / (n sum x) - (n+1)/n.
// Exact for integer holdings (128-bit sums), so the result never depends on summation
// order or thread count. 0 for an all-zero population.
double gini_sorted(std::span<const std::int64_t> sorted);
double gini_sorted(std::span<const double> sorted);

// Sorts a copy (in parallel for large inputs) and computes the Gini coefficient.
double gini(std::span<const std::int64_t> values);
double gini(std::span<const double> values);

// Share of the total held by the top `fraction` (e.g. 0.01) of a population sorted
// ascending: the richest ceil(fraction * n) members.
double top_share_sorted(std::span<const std::int64_t> sorted, double fraction);

}  // namespace marketsim::analysis
