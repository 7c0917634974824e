#pragma once
// Distributions every scenario draws from, written once over Boost.Random (fixed
// algorithms, unlike std::, so draws are the same on every platform for a build).
#include <boost/random/normal_distribution.hpp>

#include "sim/random.hpp"

namespace marketsim {

// A standard normal draw from the stream.
inline double standard_normal(Stream& s) { return boost::random::normal_distribution<double>(0.0, 1.0)(s); }

}  // namespace marketsim
