#include "analysis/market.hpp"

#include <cmath>
#include <limits>

#include "sim/error.hpp"

namespace marketsim::analysis {

double hhi(std::span<const double> sizes) {
  double total = 0;
  for (double s : sizes) total += s;
  if (total == 0) return 0.0;
  double h = 0;
  for (double s : sizes) h += (s / total) * (s / total);
  return h;
}

double coefficient_of_variation(std::span<const double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  double mean = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  if (mean == 0) return std::numeric_limits<double>::quiet_NaN();
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / static_cast<double>(values.size())) / std::fabs(mean);
}

double allocative_efficiency(double realised, double max_surplus) {
  if (max_surplus == 0) return realised == 0 ? 1.0 : std::numeric_limits<double>::quiet_NaN();
  return realised / max_surplus;
}

Surplus trade_surplus(std::span<const double> values, std::span<const double> costs, std::span<const double> prices) {
  if (values.size() != prices.size() || costs.size() != prices.size())
    throw Error("trade_surplus: values, costs and prices must have one entry per trade");
  Surplus s;
  for (std::size_t k = 0; k < prices.size(); ++k) {
    s.buyers += values[k] - prices[k];
    s.sellers += prices[k] - costs[k];
  }
  return s;
}

}  // namespace marketsim::analysis
