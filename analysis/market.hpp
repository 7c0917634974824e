#pragma once
// Market outcome metrics shared by scenarios.
#include <span>

namespace marketsim::analysis {

// Herfindahl-Hirschman index of market sizes (sales, quantities...): the sum of squared
// shares, in [1/n, 1]; multiply by 10,000 for the antitrust convention. 0 if all zero.
double hhi(std::span<const double> sizes);

// Coefficient of variation: population standard deviation over mean (price dispersion).
// NaN for an empty input or a zero mean.
double coefficient_of_variation(std::span<const double> values);

// Realised over maximum attainable surplus; 1 when the maximum is 0 and nothing was lost.
double allocative_efficiency(double realised_surplus, double max_surplus);

// Surplus of each side of a set of trades at prices p_k between buyers with values v_k
// and sellers with costs c_k: buyers sum (v - p), sellers sum (p - c).
struct Surplus {
  double buyers = 0;
  double sellers = 0;
  double total() const { return buyers + sellers; }
  double buyer_share() const { return total() != 0 ? buyers / total() : 0.5; }
};
Surplus trade_surplus(std::span<const double> values, std::span<const double> costs, std::span<const double> prices);

}  // namespace marketsim::analysis
