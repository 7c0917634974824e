// Outcome metrics against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/inequality.hpp"
#include "analysis/statistics.hpp"
#include "sim/error.hpp"

namespace an = marketsim::analysis;

TEST(Inequality, GiniHandValues) {
  std::vector<std::int64_t> equal{3, 3, 3, 3}, one_has_all{0, 0, 0, 8}, ramp{1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(an::gini(equal), 0.0);
  EXPECT_DOUBLE_EQ(an::gini(one_has_all), 0.75);  // (n-1)/n
  EXPECT_DOUBLE_EQ(an::gini(ramp), 0.25);          // 2*30/(4*10) - 5/4
  std::vector<std::int64_t> shuffled{4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(an::gini(shuffled), 0.25);
  std::vector<double> real_ramp{2.0, 1.0, 4.0, 3.0};
  EXPECT_DOUBLE_EQ(an::gini(real_ramp), 0.25);
  std::vector<std::int64_t> zeros{0, 0};
  EXPECT_EQ(an::gini(zeros), 0.0);
}

TEST(Inequality, GiniIsExactForHugeIntegerHoldings) {
  // Sums beyond 2^64 are still exact in 128-bit arithmetic.
  std::vector<std::int64_t> x(1000, 0);
  x.back() = std::int64_t{1} << 62;
  EXPECT_DOUBLE_EQ(an::gini(x), 0.999);
}

TEST(Inequality, TopShare) {
  std::vector<std::int64_t> sorted(200, 1);
  sorted[199] = 101;  // the top 1% = 2 agents hold 102 of 300
  EXPECT_DOUBLE_EQ(an::top_share_sorted(sorted, 0.01), 102.0 / 300.0);
}

TEST(Statistics, MeanAndConfidenceInterval) {
  std::vector<double> x{1.0, 2.0, 3.0, NAN};
  auto s = an::summarize(x);
  EXPECT_EQ(s.n, 3u);
  EXPECT_DOUBLE_EQ(s.mean, 2.0);
  EXPECT_DOUBLE_EQ(s.sd, 1.0);
  EXPECT_NEAR(s.half_width, 4.302652729749464 / std::sqrt(3.0), 1e-12);  // t(0.975, 2)
  EXPECT_TRUE(std::isnan(an::summarize(std::vector<double>{5.0}).half_width));
}

#include "analysis/market.hpp"

TEST(Market, HerfindahlHirschman) {
  std::vector<double> monopoly{5.0}, duopoly{1.0, 1.0}, uneven{6.0, 3.0, 1.0};
  EXPECT_DOUBLE_EQ(an::hhi(monopoly), 1.0);
  EXPECT_DOUBLE_EQ(an::hhi(duopoly), 0.5);
  EXPECT_DOUBLE_EQ(an::hhi(uneven), 0.36 + 0.09 + 0.01);
  EXPECT_EQ(an::hhi(std::vector<double>{0.0, 0.0}), 0.0);
}

TEST(Market, PriceDispersion) {
  std::vector<double> same{2.0, 2.0, 2.0}, spread{1.0, 3.0};
  EXPECT_DOUBLE_EQ(an::coefficient_of_variation(same), 0.0);
  EXPECT_DOUBLE_EQ(an::coefficient_of_variation(spread), 0.5);  // sd 1, mean 2
  EXPECT_TRUE(std::isnan(an::coefficient_of_variation(std::vector<double>{})));
}

TEST(Market, EfficiencyAndSurplusSplit) {
  EXPECT_DOUBLE_EQ(an::allocative_efficiency(9.0, 10.0), 0.9);
  EXPECT_DOUBLE_EQ(an::allocative_efficiency(0.0, 0.0), 1.0);
  // Two trades: values 10, 8; costs 2, 4; prices 6, 5.
  std::vector<double> v{10, 8}, c{2, 4}, p{6, 5};
  auto s = an::trade_surplus(v, c, p);
  EXPECT_DOUBLE_EQ(s.buyers, 4 + 3);
  EXPECT_DOUBLE_EQ(s.sellers, 4 + 1);
  EXPECT_DOUBLE_EQ(s.total(), 12);  // = sum of (v - c): prices are transfers
  EXPECT_DOUBLE_EQ(s.buyer_share(), 7.0 / 12.0);
  std::vector<double> short_prices{6};
  EXPECT_THROW(an::trade_surplus(v, c, short_prices), marketsim::Error);
}
