#include "analysis/inequality.hpp"

#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>

namespace marketsim::analysis {

double gini_sorted(std::span<const std::int64_t> x) {
  const auto n = static_cast<__int128>(x.size());
  if (n == 0) return 0.0;
  __int128 total = 0, weighted = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    total += x[i];
    weighted += static_cast<__int128>(i + 1) * x[i];
  }
  if (total == 0) return 0.0;
  // G = (2 W - (n+1) T) / (n T), formed exactly in integers, divided once.
  const __int128 num = 2 * weighted - (n + 1) * total;
  const __int128 den = n * total;
  return static_cast<double>(static_cast<long double>(num) / static_cast<long double>(den));
}

double gini_sorted(std::span<const double> x) {
  const double n = static_cast<double>(x.size());
  if (x.empty()) return 0.0;
  long double total = 0, weighted = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    total += x[i];
    weighted += static_cast<long double>(i + 1) * x[i];
  }
  if (total == 0) return 0.0;
  return static_cast<double>(2 * weighted / (n * total) - (n + 1) / n);
}

double gini(std::span<const std::int64_t> values) {
  std::vector<std::int64_t> v(values.begin(), values.end());
  tbb::parallel_sort(v.begin(), v.end());
  return gini_sorted(std::span<const std::int64_t>(v));
}

double gini(std::span<const double> values) {
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  return gini_sorted(std::span<const double>(v));
}

double top_share_sorted(std::span<const std::int64_t> x, double fraction) {
  if (x.empty()) return 0.0;
  const auto k = std::min(x.size(), static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(x.size()))));
  __int128 total = 0, top = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    total += x[i];
    if (i >= x.size() - k) top += x[i];
  }
  return total == 0 ? 0.0 : static_cast<double>(static_cast<long double>(top) / static_cast<long double>(total));
}

}  // namespace marketsim::analysis
