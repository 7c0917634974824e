#pragma once
// Distributions every scenario draws from, written once over Boost.Random (fixed
// algorithms, unlike std::, so draws are the same on every platform for a build).
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "sim/random.hpp"

namespace marketsim {

// A standard normal draw from the stream.
inline double standard_normal(Stream& s) { return boost::random::normal_distribution<double>(0.0, 1.0)(s); }

// The standard normal cdf Phi(z), accurate in both tails (erfc does not cancel; libm's is
// several times faster than Boost's). 1 - Phi(z) without cancellation is Phi(-z).
inline double standard_normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

}  // namespace marketsim
