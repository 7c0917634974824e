// Auction mechanisms (markets/auctions.hpp) and bidder behaviours (agents/bidders.hpp):
// hand-computed cases for every format, reserve prices, tie-breaking frequencies,
// logit choice, the English clock's limit, equilibrium bid functions against closed
// forms, and bad input.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <numeric>
#include <vector>

#include "agents/bidders.hpp"
#include "markets/auctions.hpp"
#include "sim/error.hpp"

namespace ms = marketsim;

namespace {

ms::Stream stream(std::uint32_t round = 0) { return ms::Stream(7, 3, 0, round); }

ms::AuctionOutcome sealed(const std::vector<double>& bids, ms::Pricing pricing, double reserve = 0,
                          std::vector<double>* payments = nullptr) {
  auto s = stream();
  std::span<double> pay;
  if (payments) payments->assign(bids.size(), -1.0), pay = *payments;
  return ms::sealed_bid_auction(bids, {pricing, reserve, 0.0}, s, pay);
}

ms::AuctionOutcome english(const std::vector<double>& dropouts, double start, double increment) {
  auto s = stream();
  return ms::english_auction(dropouts, {start, increment}, s);
}

// Pearson chi-square statistic of counts against equal expected frequencies.
double chi_square_uniform(const std::vector<int>& counts) {
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  const double expected = total / static_cast<double>(counts.size());
  double chi2 = 0;
  for (int c : counts) chi2 += (c - expected) * (c - expected) / expected;
  return chi2;
}

template <class F>
void expect_error(F f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "expected marketsim::Error containing '" << fragment << "'";
  } catch (const ms::Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

const std::vector<double> kBids = {3, 7, 5, 1};

}  // namespace

// ---- sealed-bid: hand-computed cases ------------------------------------------------

TEST(Auctions, FirstPriceWinnerPaysItsBid) {
  std::vector<double> pay;
  auto o = sealed(kBids, ms::Pricing::first_price, 0, &pay);
  EXPECT_EQ(o.winner, 1u);
  EXPECT_EQ(o.price, 7);
  EXPECT_EQ(o.revenue, 7);
  EXPECT_EQ(o.qualified, 4u);
  EXPECT_EQ(o.tied, 1u);
  EXPECT_EQ(pay, (std::vector<double>{0, 7, 0, 0}));
}

TEST(Auctions, SecondPriceWinnerPaysTheRunnerUpsBid) {
  std::vector<double> pay;
  auto o = sealed(kBids, ms::Pricing::second_price, 0, &pay);
  EXPECT_EQ(o.winner, 1u);
  EXPECT_EQ(o.price, 5);
  EXPECT_EQ(o.revenue, 5);
  EXPECT_EQ(pay, (std::vector<double>{0, 5, 0, 0}));
  // A tie at the top: the price is the tied bid.
  EXPECT_EQ(sealed({4, 6, 6}, ms::Pricing::second_price).price, 6);
}

TEST(Auctions, AllPayEveryoneQualifiedPaysItsBid) {
  std::vector<double> pay;
  auto o = sealed(kBids, ms::Pricing::all_pay, 0, &pay);
  EXPECT_EQ(o.winner, 1u);
  EXPECT_EQ(o.price, 7);
  EXPECT_EQ(o.revenue, 16);
  EXPECT_EQ(pay, kBids);
  // With a reserve of 4 the bids 3 and 1 are rejected: they do not pay.
  o = sealed(kBids, ms::Pricing::all_pay, 4, &pay);
  EXPECT_EQ(o.revenue, 12);
  EXPECT_EQ(o.qualified, 2u);
  EXPECT_EQ(pay, (std::vector<double>{0, 7, 5, 0}));
}

TEST(Auctions, AllPayPaymentsSumToRevenue) {
  std::vector<double> bids(1000);
  ms::Stream s(5, 1);
  for (double& b : bids) b = s.uniform01();
  std::vector<double> pay(bids.size());
  auto t = stream();
  auto o = ms::sealed_bid_auction(bids, {ms::Pricing::all_pay, 0.25, 0.0}, t, pay);
  double paid = 0, admitted = 0;
  for (std::size_t i = 0; i < bids.size(); ++i) {
    paid += pay[i];
    if (bids[i] >= 0.25) admitted += bids[i];
    EXPECT_EQ(pay[i], bids[i] >= 0.25 ? bids[i] : 0.0);
  }
  EXPECT_DOUBLE_EQ(o.revenue, paid);
  EXPECT_DOUBLE_EQ(o.revenue, admitted);
  EXPECT_EQ(o.price, *std::max_element(bids.begin(), bids.end()));
}

TEST(Auctions, ReservePrice) {
  const std::vector<double> bids = {3, 5};
  std::vector<double> pay;
  for (auto pricing : {ms::Pricing::first_price, ms::Pricing::second_price, ms::Pricing::all_pay}) {
    auto o = sealed(bids, pricing, 6, &pay);  // nobody qualifies: no sale
    EXPECT_FALSE(o.sold());
    EXPECT_EQ(o.winner, ms::AuctionOutcome::none);
    EXPECT_EQ(o.price, 0);
    EXPECT_EQ(o.revenue, 0);
    EXPECT_EQ(o.qualified, 0u);
    EXPECT_EQ(pay, (std::vector<double>{0, 0}));
  }
  EXPECT_EQ(sealed(bids, ms::Pricing::first_price, 4).price, 5);
  EXPECT_EQ(sealed(bids, ms::Pricing::second_price, 4).price, 4);  // the reserve binds
  EXPECT_EQ(sealed(bids, ms::Pricing::second_price, 2).price, 3);  // it does not
  EXPECT_EQ(sealed(bids, ms::Pricing::second_price, 5).winner, 1u);  // a bid equal to the reserve qualifies
  EXPECT_EQ(sealed(bids, ms::Pricing::second_price, 5).price, 5);
}

TEST(Auctions, NoBidAbstains) {
  const std::vector<double> bids = {ms::kNoBid, 2, ms::kNoBid};
  auto o = sealed(bids, ms::Pricing::all_pay, -100);
  EXPECT_EQ(o.winner, 1u);
  EXPECT_EQ(o.qualified, 1u);
  EXPECT_EQ(o.revenue, 2);
  EXPECT_FALSE(sealed({ms::kNoBid, ms::kNoBid}, ms::Pricing::second_price, -100).sold());
  EXPECT_FALSE(sealed({}, ms::Pricing::first_price).sold());
}

TEST(Auctions, ScoringAuctionAddsFundamentals) {
  const std::vector<double> a = {10, 0, 3, 0};  // scores 13, 7, 8, 1
  std::vector<double> pay(4);
  auto s = stream();
  auto o = ms::scoring_auction(a, kBids, {ms::Pricing::first_price, 0, 0}, s, pay);
  EXPECT_EQ(o.winner, 0u);
  EXPECT_EQ(o.price, 3);  // its own bid
  EXPECT_EQ(pay, (std::vector<double>{3, 0, 0, 0}));
  // Second score: the bid that ties the runner-up's score 8 is 8 - 10 = -2.
  o = ms::scoring_auction(a, kBids, {ms::Pricing::second_price, 0, 0}, s);
  EXPECT_EQ(o.winner, 0u);
  EXPECT_EQ(o.price, -2);
  // The reserve applies to scores: at 9 only bidder 0 qualifies and must reach 9.
  o = ms::scoring_auction(a, kBids, {ms::Pricing::second_price, 9, 0}, s);
  EXPECT_EQ(o.qualified, 1u);
  EXPECT_EQ(o.price, -1);
  EXPECT_FALSE(ms::scoring_auction(a, kBids, {ms::Pricing::first_price, 14, 0}, s).sold());
  o = ms::scoring_auction(a, kBids, {ms::Pricing::all_pay, 0, 0}, s, pay);
  EXPECT_EQ(o.revenue, 16);
  EXPECT_EQ(pay, kBids);
  // Scores 13 and 13: the higher bid does not matter, only the score.
  o = ms::scoring_auction(std::vector<double>{10, 6}, std::vector<double>{3, 7}, {ms::Pricing::second_price, 0, 0}, s);
  EXPECT_EQ(o.tied, 2u);
  EXPECT_EQ(o.price, o.winner == 0 ? 3 : 7);
}

// ---- English clock ------------------------------------------------------------------

TEST(Auctions, EnglishClockHandComputed) {
  // Drop-out values 3, 7, 5, 1, clock 0, 1, 2, ...: bidder 2 (5) drops when the price
  // reaches 6, so bidder 1 wins at 6. With steps of 0.5 it wins at 5.5.
  auto o = english(kBids, 0, 1);
  EXPECT_EQ(o.winner, 1u);
  EXPECT_EQ(o.price, 6);
  EXPECT_EQ(o.qualified, 4u);
  EXPECT_EQ(english(kBids, 0, 0.5).price, 5.5);
  EXPECT_EQ(english(kBids, 0.25, 1).price, 5.25);
  // Start (reserve) at 6: bidder 1 is alone from the first price and pays it.
  o = english(kBids, 6, 1);
  EXPECT_EQ(o.winner, 1u);
  EXPECT_EQ(o.price, 6);
  EXPECT_EQ(o.qualified, 1u);
  EXPECT_FALSE(english(kBids, 8, 1).sold());
  // The last two drop at the same step (both below 6): drawn between them, price 5.
  for (const std::vector<double>& d : {std::vector<double>{5, 5, 2}, std::vector<double>{5.2, 5.7, 2}}) {
    o = english(d, 0, 1);
    EXPECT_EQ(o.tied, 2u);
    EXPECT_LE(o.winner, 1u);
    EXPECT_EQ(o.price, 5);
  }
  std::vector<double> pay(3);
  auto s = stream();
  o = ms::english_auction(std::vector<double>{1, 4, 2.5}, {1, 1}, s, pay);
  EXPECT_EQ(pay, (std::vector<double>{0, 3, 0}));
}

TEST(Auctions, EnglishClockTendsToSecondPrice) {
  // As the increment shrinks the English price is the runner-up's drop-out value (or the
  // start price), within one increment, and the winner is the second-price winner.
  ms::Stream values(11, 1);
  for (std::uint32_t round = 0; round < 200; ++round) {
    std::vector<double> d(50);
    for (double& x : d) x = values.uniform01();
    const double start = 0.9;
    auto sp = sealed(d, ms::Pricing::second_price, start);
    for (double increment : {1e-3, 1e-6, 1e-9}) {
      auto e = english(d, start, increment);
      ASSERT_EQ(e.sold(), sp.sold());
      if (!sp.sold()) continue;
      if (e.tied == 1) EXPECT_EQ(e.winner, sp.winner);
      EXPECT_GE(e.price, sp.price - increment);
      EXPECT_LE(e.price, sp.price + increment);
      if (e.tied == 1 && sp.qualified > 1) EXPECT_GT(e.price, sp.price);  // strictly above d_(2)
    }
  }
}

// ---- ties, logit choice -------------------------------------------------------------

TEST(Auctions, TiesAreBrokenUniformly) {
  // 30,000 auctions with three bidders tied at 5 and fixed seeds: the counts pass a
  // chi-square test (2 degrees of freedom; 13.8 is the 0.1% critical value).
  const std::vector<double> bids = {1, 5, 5, 5, 2};
  const std::vector<double> fundamentals = {0, 1, 1, 1, 0};
  std::vector<int> sealed_counts(3), english_counts(3), scoring_counts(3);
  for (std::uint32_t round = 0; round < 30000; ++round) {
    auto s = stream(round);
    auto o = ms::sealed_bid_auction(bids, {ms::Pricing::first_price, 0, 0}, s);
    ASSERT_EQ(o.tied, 3u);
    ASSERT_TRUE(o.winner >= 1 && o.winner <= 3);
    ++sealed_counts[o.winner - 1];
    auto t = ms::Stream(8, 3, 0, round);
    auto e = ms::english_auction(bids, {0, 1}, t);
    ASSERT_TRUE(e.winner >= 1 && e.winner <= 3);
    ++english_counts[e.winner - 1];
    auto u = ms::Stream(9, 3, 0, round);
    auto c = ms::scoring_auction(fundamentals, bids, {ms::Pricing::second_price, 0, 0}, u);
    ASSERT_TRUE(c.winner >= 1 && c.winner <= 3);
    EXPECT_EQ(c.price, 5);
    ++scoring_counts[c.winner - 1];
  }
  EXPECT_LT(chi_square_uniform(sealed_counts), 13.8);
  EXPECT_LT(chi_square_uniform(english_counts), 13.8);
  EXPECT_LT(chi_square_uniform(scoring_counts), 13.8);
}

TEST(Auctions, LogitChoiceFollowsItsProbabilities) {
  // Scores sigma*ln(1), sigma*ln(2), sigma*ln(3): win probabilities 1/6, 2/6, 3/6.
  const double sigma = 0.5;
  const std::vector<double> a = {0, 0, 0, -100};  // the last one is below the reserve
  const std::vector<double> bids = {0, sigma * std::log(2.0), sigma * std::log(3.0), 0};
  std::array<int, 3> counts{};
  const int auctions = 30000;
  for (std::uint32_t round = 0; round < auctions; ++round) {
    auto s = stream(round);
    auto o = ms::scoring_auction(a, bids, {ms::Pricing::first_price, -1, sigma}, s);
    ASSERT_LT(o.winner, 3u);
    EXPECT_EQ(o.price, bids[o.winner]);
    ++counts[o.winner];
  }
  double chi2 = 0;
  for (int i = 0; i < 3; ++i) {
    const double expected = auctions * (i + 1) / 6.0;
    chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
  }
  EXPECT_LT(chi2, 13.8);
  // Tiny noise: the highest score wins.
  auto s = stream();
  EXPECT_EQ(ms::scoring_auction(a, bids, {ms::Pricing::all_pay, -1, 1e-6}, s).winner, 2u);
}

// ---- bad input ----------------------------------------------------------------------

TEST(Auctions, BadInputIsAnError) {
  auto s = stream();
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  const ms::AuctionRules fp{ms::Pricing::first_price, 0, 0};
  expect_error([&] { ms::sealed_bid_auction(std::vector<double>{1, nan}, fp, s); }, "bidder 1 has bid nan");
  expect_error([&] { ms::sealed_bid_auction(std::vector<double>{inf, 1}, fp, s); }, "bidder 0 has bid inf");
  std::vector<double> pay(3);
  expect_error([&] { ms::sealed_bid_auction(kBids, fp, s, pay); }, "payments has 3 entries for 4 bidders");
  expect_error([&] { ms::sealed_bid_auction(kBids, {ms::Pricing::first_price, nan, 0}, s); }, "reserve must be");
  expect_error([&] { ms::sealed_bid_auction(kBids, {ms::Pricing::first_price, 0, -1}, s); }, "choice_noise");
  expect_error([&] { ms::sealed_bid_auction(kBids, {ms::Pricing::second_price, 0, 0.1}, s); }, "first_price or all_pay");
  expect_error([&] { ms::scoring_auction(std::vector<double>{1}, kBids, fp, s); }, "1 fundamentals for 4 bids");
  expect_error([&] { ms::scoring_auction(std::vector<double>{inf, 0, 0, 0}, std::vector<double>{ms::kNoBid, 1, 1, 1}, fp, s); },
               "bidder 0 has score");
  expect_error([&] { ms::english_auction(kBids, {0, 0}, s); }, "increment must be finite and > 0");
  expect_error([&] { ms::english_auction(kBids, {0, nan}, s); }, "increment must be");
  expect_error([&] { ms::english_auction(kBids, {inf, 1}, s); }, "start price must be finite");
  expect_error([&] { ms::english_auction(std::vector<double>{1e300, 1}, {0, 1e-300}, s); }, "too small");
  expect_error([&] { ms::english_auction(std::vector<double>{1, nan}, {0, 1}, s); }, "drop-out value");
  expect_error([] { ms::parse_pricing("first-price"); }, "did you mean 'first_price'");
}

// ---- value distributions ------------------------------------------------------------

TEST(Bidders, DistributionsInvertTheirCdf) {
  const std::vector<ms::ValueDistribution> dists = {
      ms::ValueDistribution::uniform(2, 4), ms::ValueDistribution::power(0.5), ms::ValueDistribution::power(3, -1, 1),
      ms::ValueDistribution::truncated_normal(0.5, 0.25, 0, 1),
      ms::ValueDistribution::truncated_normal(0, 1, 3, 4)};  // a window in the upper tail
  for (const auto& d : dists) {
    for (double u : {1e-9, 0.01, 0.3, 0.5, 0.77, 0.999}) {
      const double v = d.quantile(u);
      EXPECT_GE(v, d.low());
      EXPECT_LE(v, d.high());
      EXPECT_NEAR(d.cdf(v), u, 1e-9) << u;
    }
    EXPECT_EQ(d.cdf(d.low() - 1), 0.0);
    EXPECT_EQ(d.cdf(d.high() + 1), 1.0);
  }
}

TEST(Bidders, DrawnValuesHaveTheirMeans) {
  // Means over 40,000 draws within 4 standard errors: uniform [2, 4] (3, sd 0.577),
  // power k = 3 on [0, 1] (k / (k + 1) = 0.75, sd 0.194).
  const int draws = 40000;
  ms::Stream s(3, 1);
  std::vector<double> v(draws);
  ms::ValueDistribution::uniform(2, 4).draw(s, v);
  EXPECT_NEAR(std::accumulate(v.begin(), v.end(), 0.0) / draws, 3.0, 4 * 0.577 / 200);
  ms::ValueDistribution::power(3).draw(s, v);
  EXPECT_NEAR(std::accumulate(v.begin(), v.end(), 0.0) / draws, 0.75, 4 * 0.194 / 200);
}

TEST(Bidders, CommonValueSignalsScatterAroundTheValue) {
  ms::Stream value(4, 1), noise(4, 2);
  std::vector<double> signals(40000);
  const double v = ms::draw_common_value(ms::ValueDistribution::uniform(), 0.2, value, noise, signals);
  double mean = 0, ss = 0;
  for (double x : signals) mean += x;
  mean /= signals.size();
  for (double x : signals) ss += (x - mean) * (x - mean);
  EXPECT_NEAR(mean, v, 4 * 0.2 / 200);
  EXPECT_NEAR(std::sqrt(ss / (signals.size() - 1)), 0.2, 0.005);
  // Without noise every signal is the value.
  ms::draw_common_value(ms::ValueDistribution::uniform(), 0.0, value, noise, signals);
  EXPECT_EQ(signals.front(), signals.back());
}

TEST(Bidders, ShadedBids) {
  std::vector<double> s = {1, 2, 4}, b(3);
  ms::shaded_bids(s, 0.25, b);
  EXPECT_EQ(b, (std::vector<double>{0.75, 1.5, 3}));
  ms::shaded_bids(s, 0.0, s);  // in place, truthful / naive
  EXPECT_EQ(s, (std::vector<double>{1, 2, 4}));
}

// ---- equilibrium bid functions ------------------------------------------------------

TEST(Bidders, FirstPriceQuadratureIsExactForUniformValues) {
  for (std::int64_t n : {1, 2, 3, 5, 10, 100, 1000, 100000}) {
    ms::SymmetricEquilibrium eq(ms::ValueDistribution::uniform(), n);
    for (double v : {0.0, 0.01, 0.2, 0.5, 0.9, 1.0}) {
      SCOPED_TRACE(testing::Message() << "n = " << n << ", v = " << v);
      const double k = static_cast<double>(n - 1) / static_cast<double>(n);
      EXPECT_NEAR(eq.first_price(v), k * v, 1e-12);
      EXPECT_NEAR(eq.all_pay(v), k * std::pow(v, static_cast<double>(n)), 1e-12);
    }
  }
  // Shifted support: values uniform on [2, 4], b(v) = 2 + (n-1)/n (v - 2).
  ms::SymmetricEquilibrium eq(ms::ValueDistribution::uniform(2, 4), 4, 1.0);
  EXPECT_NEAR(eq.first_price(3.5), 2 + 0.75 * 1.5, 1e-12);
}

TEST(Bidders, FirstPriceQuadratureMatchesThePowerLawClosedForm) {
  // F(v) = v^k on [0, 1], m = k(n-1), reserve r:
  //   b(v) = m/(m+1) v + r^{m+1} / ((m+1) v^m),  all-pay (r = 0): m/(m+1) v^{m+1}.
  for (double k : {0.3, 0.5, 2.0, 3.7}) {
    for (std::int64_t n : {2, 5, 50}) {
      for (double r : {0.0, 0.3}) {
        ms::SymmetricEquilibrium eq(ms::ValueDistribution::power(k), n, r);
        const double m = k * static_cast<double>(n - 1);
        for (double v : {0.05, 0.3, 0.6, 0.95, 1.0}) {
          SCOPED_TRACE(testing::Message() << "k = " << k << ", n = " << n << ", r = " << r << ", v = " << v);
          if (v < r) {
            EXPECT_EQ(eq.first_price(v), ms::kNoBid);
            continue;
          }
          EXPECT_NEAR(eq.first_price(v), m / (m + 1) * v + std::pow(r, m + 1) / ((m + 1) * std::pow(v, m)), 1e-11);
          if (r == 0) EXPECT_NEAR(eq.all_pay(v), m / (m + 1) * std::pow(v, m + 1), 1e-11);
        }
      }
    }
  }
}

TEST(Bidders, EquilibriumBidsMatchTheirDefinitionForTruncatedNormalValues) {
  // Against the definitions, evaluated independently as Stieltjes sums over 40,000 cells
  // (midpoint rule, error about h^2/12 * max g < 1e-9):
  //   first price  b(v) = E[max(Y, r) | Y < v] = (r G(r) + int_r^v x dG(x)) / G(v),
  //   all-pay      b(v) = r + int_{v*}^v x dG(x), with v* G(v*) = r.
  const auto dist = ms::ValueDistribution::truncated_normal(0.4, 0.2, 0.0, 1.0);
  for (std::int64_t n : {2, 6, 40}) {
    for (double r : {0.0, 0.35}) {
      ms::SymmetricEquilibrium eq(dist, n, r);
      const double v_star = eq.all_pay_threshold();
      EXPECT_NEAR(v_star * eq.rival_max_cdf(v_star), r, 1e-12);
      auto stieltjes = [&](double lo, double hi) {
        const int cells = 40000;
        double sum = 0, g0 = eq.rival_max_cdf(lo);
        for (int j = 0; j < cells; ++j) {
          const double x0 = lo + (hi - lo) * j / cells, x1 = lo + (hi - lo) * (j + 1) / cells;
          const double g1 = eq.rival_max_cdf(x1);
          sum += 0.5 * (x0 + x1) * (g1 - g0);
          g0 = g1;
        }
        return sum;
      };
      for (double v : {0.4, 0.7, 0.95}) {
        SCOPED_TRACE(testing::Message() << "n = " << n << ", r = " << r << ", v = " << v);
        EXPECT_NEAR(eq.first_price(v), (r * eq.rival_max_cdf(r) + stieltjes(r, v)) / eq.rival_max_cdf(v), 1e-8);
        if (v >= v_star) EXPECT_NEAR(eq.all_pay(v), r + stieltjes(v_star, v), 1e-8);
        else EXPECT_EQ(eq.all_pay(v), ms::kNoBid);
      }
    }
  }
}

TEST(Bidders, AllPayWithAReserveScreensAtTheIndifferentType) {
  // Uniform [0, 1], n = 3, r = 0.2: v* G(v*) = v*^3 = r, and the type v* bids exactly r.
  ms::SymmetricEquilibrium eq(ms::ValueDistribution::uniform(), 3, 0.2);
  const double v_star = std::cbrt(0.2);
  EXPECT_NEAR(eq.all_pay_threshold(), v_star, 1e-14);
  EXPECT_NEAR(eq.all_pay(v_star), 0.2, 1e-12);
  EXPECT_EQ(eq.all_pay(v_star - 1e-6), ms::kNoBid);
  // Above it: b(v) = r + int_{v*}^v x d(x^2) = r + 2/3 (v^3 - v*^3).
  EXPECT_NEAR(eq.all_pay(0.9), 0.2 + 2.0 / 3.0 * (0.729 - 0.2), 1e-12);
  // First price screens at r itself.
  EXPECT_EQ(eq.first_price(0.19), ms::kNoBid);
  EXPECT_NEAR(eq.first_price(0.2), 0.2, 1e-12);
}

TEST(Bidders, BadInputIsAnError) {
  expect_error([] { ms::ValueDistribution::uniform(1, 1); }, "need finite low < high");
  expect_error([] { ms::ValueDistribution::power(0); }, "exponent must be");
  expect_error([] { ms::ValueDistribution::truncated_normal(0, 0, 0, 1); }, "sd > 0");
  expect_error([] { ms::ValueDistribution::truncated_normal(0, 1, 50, 51); }, "widen the window");
  expect_error([] { ms::SymmetricEquilibrium(ms::ValueDistribution::uniform(), 0); }, "at least 1 bidder");
  expect_error([] { ms::SymmetricEquilibrium(ms::ValueDistribution::uniform(), 2, -0.1); }, "reserve must be");
  expect_error([] { ms::SymmetricEquilibrium(ms::ValueDistribution::uniform(-1, 1), 2); }, "values must be >= 0");
  std::vector<double> a(2), b(3);
  expect_error([&] { ms::shaded_bids(a, 1.5, a); }, "shade must be in [0, 1]");
  expect_error([&] { ms::shaded_bids(a, 0.5, b); }, "2 inputs for 3 outputs");
  ms::Stream s(1, 1);
  expect_error([&] { ms::draw_common_value(ms::ValueDistribution::uniform(), -1, s, s, a); }, "signal_sd");
  expect_error([] { ms::parse_value_distribution("normal"); }, "valid: uniform, power, truncated_normal");
}
