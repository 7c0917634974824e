#include "analysis/statistics.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>

namespace marketsim::analysis {

Summary summarize(std::span<const double> values) {
  Summary s;
  double sum = 0;
  for (double x : values)
    if (std::isfinite(x)) sum += x, ++s.n;
  if (s.n == 0) {
    s.mean = s.sd = s.half_width = std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  s.mean = sum / static_cast<double>(s.n);
  if (s.n < 2) {
    s.sd = s.half_width = std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  double ss = 0;
  for (double x : values)
    if (std::isfinite(x)) ss += (x - s.mean) * (x - s.mean);
  s.sd = std::sqrt(ss / static_cast<double>(s.n - 1));
  boost::math::students_t t(static_cast<double>(s.n - 1));
  s.half_width = boost::math::quantile(boost::math::complement(t, 0.025)) * s.sd / std::sqrt(static_cast<double>(s.n));
  return s;
}

}  // namespace marketsim::analysis
