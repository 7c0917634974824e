#pragma once
// Bidders: value distributions, how values and signals are drawn, and bidding behaviours
// over arrays of bidders (one entry per bidder; the caller owns the arrays).
//
// Values. A ValueDistribution on [low, high]: uniform; power law F(v) = x^k with
// x = (v - low) / (high - low); or a normal (mean, sd) truncated to [low, high]. Draws are
// by inversion, v = F^{-1}(u) with one 53-bit uniform u per value, so two distributions
// fed the same stream give comonotone (paired) values.
//   * Independent private values: v_i iid F.
//   * Common value: V ~ F, and bidder i observes the signal s_i = V + e_i, e_i iid
//     N(0, signal_sd^2); every bidder's value is V.
//
// Behaviours (b = bid in a sealed-bid auction, or the drop-out price in the English
// clock auction):
//   * truthful: b = v. Dominant in second-price and English auctions (Vickrey 1961).
//   * fixed shading: b = (1 - shade) * s (s = the value under private values).
//   * naive: b = s, bidding the signal in a common-value auction as if it were the value;
//     the winner is the bidder with the highest signal, so it overestimates V on
//     average: the winner's curse (Capen, Clapp and Campbell 1971; Thaler 1988).
//   * risk-neutral symmetric equilibrium with n bidders, independent private values
//     v >= 0 and reserve r >= 0 (Riley and Samuelson 1981; Krishna 2009, ch. 2-3). Let
//     G(x) = F(x)^{n-1} be the law of Y, the highest of the n-1 rival values.
//       first price   v >= r: b(v) = E[max(Y, r) | Y < v] = v - (1/G(v)) int_{r'}^v G(x) dx,
//                     r' = max(r, low) (r' = r if n = 1);
//       all-pay       v >= v*: b(v) = r + int_{v*}^v x dG(x)
//                                   = r + v G(v) - v* G(v*) - int_{v*}^v G(x) dx,
//                     where v* = min{v >= max(r, low) : v G(v) >= r} is the type that is
//                     indifferent between paying r and staying out (v* = r' when r = 0);
//       second price and English: b(v) = v (bids below r are rejected anyway).
//     A bidder below the participation threshold (r, resp. v*) stays out: kNoBid.
//     The integral is computed by tanh-sinh quadrature (Takahasi and Mori 1974; levels
//     refined until two agree to 1e-10 relative) for any distribution, over the window
//     where (F(x)/F(v))^{n-1} exceeds 1e-17. Uniform [0, 1], r = 0: (n-1)/n v and
//     (n-1)/n v^n; power law on [0, 1], r = 0: m/(m+1) v and m/(m+1) v^{m+1}, m = k(n-1).
// Model page: docs/models/sealed_bid_auction.md.
#include <cstdint>
#include <span>
#include <string_view>

#include "markets/auctions.hpp"  // kNoBid
#include "sim/random.hpp"

namespace marketsim {

class ValueDistribution {
 public:
  enum class Kind { uniform, power, truncated_normal };

  // Each throws Error unless low < high (finite), exponent > 0, sd > 0 and the
  // truncation window keeps a probability of at least 1e-12.
  static ValueDistribution uniform(double low = 0, double high = 1);
  static ValueDistribution power(double exponent, double low = 0, double high = 1);
  static ValueDistribution truncated_normal(double mean, double sd, double low, double high);

  Kind kind() const { return kind_; }
  double low() const { return low_; }
  double high() const { return high_; }
  double cdf(double v) const;       // 0 below low, 1 above high
  double quantile(double u) const;  // F^{-1}(u), u in [0, 1], in [low, high]
  double draw(Stream& s) const { return quantile(s.uniform01()); }
  void draw(Stream& s, std::span<double> values) const;  // iid, in index order

 private:
  ValueDistribution(Kind kind, double low, double high) : kind_(kind), low_(low), high_(high) {}
  Kind kind_;
  double low_, high_;
  double exponent_ = 1;                     // power
  double mean_ = 0, sd_ = 1;                // truncated normal
  bool upper_tail_ = false;                 // window above the mean: work with 1 - Phi
  double tail_alpha_ = 0, mass_ = 1;        // Phi(alpha) (or 1 - Phi(alpha)), alpha = (low - mean) / sd;
                                            // the window's probability
};

// "uniform", "power", "truncated_normal"; Error naming the choices otherwise.
ValueDistribution::Kind parse_value_distribution(std::string_view name);

// Common value: draws V from `values` (stream `value`) and fills signals[i] = V + e_i,
// e_i ~ N(0, signal_sd^2) (stream `noise`, boost::random::normal_distribution). Returns V.
double draw_common_value(const ValueDistribution& values, double signal_sd, Stream& value, Stream& noise,
                         std::span<double> signals);

// bids[i] = (1 - shade) * signals[i]; shade in [0, 1]. shade = 0 is truthful (private
// values) or naive (common values) bidding. `bids` may alias `signals`.
void shaded_bids(std::span<const double> signals, double shade, std::span<double> bids);

// The risk-neutral symmetric Bayes-Nash equilibrium of the independent-private-values
// auction with `bidders` bidders, values iid `values` (low >= 0), reserve `reserve` >= 0.
class SymmetricEquilibrium {
 public:
  SymmetricEquilibrium(ValueDistribution values, std::int64_t bidders, double reserve = 0);

  double rival_max_cdf(double v) const;  // G(v) = F(v)^{n-1}
  double first_price(double v) const;    // E[max(Y, r) | Y < v]; kNoBid below r
  double all_pay(double v) const;        // kNoBid below v*
  static double second_price(double v) { return v; }
  static double english_dropout(double v) { return v; }
  double all_pay_threshold() const { return all_pay_threshold_; }  // v* (+inf: nobody enters)

  // Array forms: bids[i] = first_price(values[i]) (resp. all_pay); may alias.
  void first_price(std::span<const double> values, std::span<double> bids) const;
  void all_pay(std::span<const double> values, std::span<double> bids) const;

  const ValueDistribution& values() const { return values_; }
  std::int64_t bidders() const { return n_; }
  double reserve() const { return reserve_; }

 private:
  // int_lower^v (F(x)/F(v))^{n-1} dx = int_lower^v G / G(v), for lower <= v, F(v) > 0.
  double integral_ratio(double lower, double v) const;

  ValueDistribution values_;
  std::int64_t n_;
  double reserve_;
  double first_price_floor_;  // r'
  double all_pay_threshold_;  // v*
};

}  // namespace marketsim
