#include "agents/bidders.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "sim/distributions.hpp"
#include "sim/error.hpp"

namespace marketsim {
namespace {

const boost::math::normal_distribution<double> kStandardNormal;

// Phi(z) or, on the upper side, 1 - Phi(z) = Phi(-z), each without cancellation.
double normal_tail(double z, bool upper) { return standard_normal_cdf(upper ? -z : z); }
// Tanh-sinh stops when two levels differ by less than this (relative to the integral's
// L1 norm); the error is then far smaller (the method doubles its digits per level).
constexpr double kQuadratureTolerance = 1e-10;

void check_window(double low, double high, const char* who) {
  if (!std::isfinite(low) || !std::isfinite(high) || !(low < high))
    throw Error(fmt::format("{}: need finite low < high, got low = {}, high = {}", who, low, high));
}

void check_same_size(std::size_t a, std::size_t b, const char* who) {
  if (a != b) throw Error(fmt::format("{}: {} inputs for {} outputs (one per bidder)", who, a, b));
}

}  // namespace

ValueDistribution ValueDistribution::uniform(double low, double high) {
  check_window(low, high, "uniform values");
  return ValueDistribution(Kind::uniform, low, high);
}

ValueDistribution ValueDistribution::power(double exponent, double low, double high) {
  check_window(low, high, "power-law values");
  if (!(exponent > 0) || !std::isfinite(exponent))
    throw Error(fmt::format("power-law values: exponent must be finite and > 0, got {}", exponent));
  ValueDistribution d(Kind::power, low, high);
  d.exponent_ = exponent;
  return d;
}

ValueDistribution ValueDistribution::truncated_normal(double mean, double sd, double low, double high) {
  check_window(low, high, "truncated normal values");
  if (!std::isfinite(mean) || !(sd > 0) || !std::isfinite(sd))
    throw Error(fmt::format("truncated normal values: need a finite mean and sd > 0, got mean = {}, sd = {}", mean, sd));
  ValueDistribution d(Kind::truncated_normal, low, high);
  d.mean_ = mean;
  d.sd_ = sd;
  const double alpha = (low - mean) / sd;
  // A window above the mean is handled through upper-tail probabilities, which keep
  // their precision there (1 - Phi would cancel).
  d.upper_tail_ = alpha > 0;
  d.tail_alpha_ = normal_tail(alpha, d.upper_tail_);
  d.mass_ = std::fabs(normal_tail((high - mean) / sd, d.upper_tail_) - d.tail_alpha_);
  if (!(d.mass_ >= 1e-12))
    throw Error(fmt::format("truncated normal values: [{}, {}] holds probability {} of N({}, {}^2); widen the window "
                            "(at least 1e-12)", low, high, d.mass_, mean, sd));
  return d;
}

double ValueDistribution::cdf(double v) const {
  if (!(v > low_)) return 0.0;
  if (!(v < high_)) return 1.0;
  const double x = (v - low_) / (high_ - low_);
  switch (kind_) {
    case Kind::uniform: return x;
    case Kind::power: return std::pow(x, exponent_);
    case Kind::truncated_normal: {
      const double tail = normal_tail((v - mean_) / sd_, upper_tail_);
      const double p = upper_tail_ ? tail_alpha_ - tail : tail - tail_alpha_;
      return std::clamp(p / mass_, 0.0, 1.0);
    }
  }
  return 0.0;
}

double ValueDistribution::quantile(double u) const {
  if (!(u > 0)) return low_;
  if (!(u < 1)) return high_;
  double v = low_;
  switch (kind_) {
    case Kind::uniform: v = low_ + u * (high_ - low_); break;
    case Kind::power: v = low_ + (high_ - low_) * std::pow(u, 1.0 / exponent_); break;
    case Kind::truncated_normal: {
      using boost::math::complement;
      double z;
      if (upper_tail_) {
        const double q = tail_alpha_ - u * mass_;
        if (!(q > 0)) return high_;
        z = boost::math::quantile(complement(kStandardNormal, q));
      } else {
        const double p = tail_alpha_ + u * mass_;
        if (!(p < 1)) return high_;
        if (!(p > 0)) return low_;
        z = boost::math::quantile(kStandardNormal, p);
      }
      v = mean_ + sd_ * z;
      break;
    }
  }
  return std::clamp(v, low_, high_);
}

void ValueDistribution::draw(Stream& s, std::span<double> values) const {
  for (double& v : values) v = draw(s);
}

ValueDistribution::Kind parse_value_distribution(std::string_view name) {
  if (name == "uniform") return ValueDistribution::Kind::uniform;
  if (name == "power") return ValueDistribution::Kind::power;
  if (name == "truncated_normal") return ValueDistribution::Kind::truncated_normal;
  throw Error(fmt::format("unknown value distribution '{}'{} (valid: uniform, power, truncated_normal)", name,
                          did_you_mean(name, {"uniform", "power", "truncated_normal"})));
}

double draw_common_value(const ValueDistribution& values, double signal_sd, Stream& value, Stream& noise,
                         std::span<double> signals) {
  if (!(signal_sd >= 0) || !std::isfinite(signal_sd))
    throw Error(fmt::format("common value: signal_sd must be finite and >= 0, got {}", signal_sd));
  const double common = values.draw(value);
  if (signal_sd == 0) {
    std::fill(signals.begin(), signals.end(), common);
    return common;
  }
  boost::random::normal_distribution<double> error(0.0, signal_sd);
  for (double& s : signals) s = common + error(noise);
  return common;
}

void shaded_bids(std::span<const double> signals, double shade, std::span<double> bids) {
  if (!(shade >= 0 && shade <= 1)) throw Error(fmt::format("shaded_bids: shade must be in [0, 1], got {}", shade));
  check_same_size(signals.size(), bids.size(), "shaded_bids");
  const double keep = 1.0 - shade;
  for (std::size_t i = 0; i < bids.size(); ++i) bids[i] = keep * signals[i];
}

SymmetricEquilibrium::SymmetricEquilibrium(ValueDistribution values, std::int64_t bidders, double reserve)
    : values_(values), n_(bidders), reserve_(reserve) {
  if (bidders < 1) throw Error(fmt::format("SymmetricEquilibrium: need at least 1 bidder, got {}", bidders));
  if (!(reserve >= 0) || !std::isfinite(reserve))
    throw Error(fmt::format("SymmetricEquilibrium: reserve must be finite and >= 0, got {}", reserve));
  if (values.low() < 0)
    throw Error(fmt::format("SymmetricEquilibrium: values must be >= 0 (low = {})", values.low()));
  first_price_floor_ = n_ == 1 ? reserve_ : std::max(reserve_, values_.low());
  // v*: the lowest type whose expected prize v G(v) covers the reserve (monotone in v).
  auto covers = [&](double v) { return v * rival_max_cdf(v) >= reserve_; };
  double lo = std::max(reserve_, values_.low()), hi = values_.high();
  if (covers(lo)) {
    all_pay_threshold_ = lo;
  } else if (!covers(hi)) {
    all_pay_threshold_ = std::numeric_limits<double>::infinity();
  } else {
    while (true) {  // invariant: !covers(lo), covers(hi); ends when no double lies between
      const double mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi) break;
      (covers(mid) ? hi : lo) = mid;
    }
    all_pay_threshold_ = hi;
  }
}

double SymmetricEquilibrium::rival_max_cdf(double v) const {
  return n_ == 1 ? 1.0 : std::pow(values_.cdf(v), static_cast<double>(n_ - 1));
}

double SymmetricEquilibrium::integral_ratio(double lower, double v) const {
  if (n_ == 1) return v - lower;  // no rival: G = 1
  const double fv = values_.cdf(v);
  const double power = static_cast<double>(n_ - 1);
  // Below x_cut the integrand (F(x)/F(v))^{n-1} is under 1e-17: with many bidders its
  // mass sits just below v, and the quadrature must see only that window.
  const double x_cut = values_.quantile(fv * std::pow(1e-17, 1.0 / power));
  const double a = std::max(lower, x_cut);
  if (!(a < v)) return 0.0;
  auto ratio = [&](double x) { return std::pow(values_.cdf(x) / fv, power); };
  // Tanh-sinh: exponential convergence for analytic integrands, and robust to the
  // algebraic endpoint singularities of power laws (x^{k(n-1)}, k(n-1) < 1). One per
  // thread: Boost 1.74 publishes a new refinement level before filling it, so a shared
  // integrator could be read half-built by another thread. (Not const: Boost 1.74
  // declares integrate() non-const.)
  static thread_local boost::math::quadrature::tanh_sinh<double> integrator;
  return integrator.integrate(ratio, a, v, kQuadratureTolerance);
}

double SymmetricEquilibrium::first_price(double v) const {
  if (v < reserve_) return kNoBid;
  if (n_ > 1 && values_.cdf(v) == 0) return v;  // at the lowest value: the limit b(v) -> v
  return v - integral_ratio(first_price_floor_, v);
}

double SymmetricEquilibrium::all_pay(double v) const {
  const double t = all_pay_threshold_;
  if (!(v >= t)) return kNoBid;
  const double g = rival_max_cdf(v);
  const double base = reserve_ - t * rival_max_cdf(t);  // 0 up to rounding: b(v*) = r exactly
  if (g == 0) return base;
  return base + g * (v - integral_ratio(t, v));
}

void SymmetricEquilibrium::first_price(std::span<const double> values, std::span<double> bids) const {
  check_same_size(values.size(), bids.size(), "SymmetricEquilibrium::first_price");
  for (std::size_t i = 0; i < bids.size(); ++i) bids[i] = first_price(values[i]);
}

void SymmetricEquilibrium::all_pay(std::span<const double> values, std::span<double> bids) const {
  check_same_size(values.size(), bids.size(), "SymmetricEquilibrium::all_pay");
  for (std::size_t i = 0; i < bids.size(); ++i) bids[i] = all_pay(values[i]);
}

}  // namespace marketsim
