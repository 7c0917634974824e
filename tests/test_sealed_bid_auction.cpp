// sealed_bid_auction against its known results (docs/models/sealed_bid_auction.md):
// revenue equivalence across the four formats (simulated from the bid functions, never
// computed from the formula), with and without a reserve and for non-uniform values;
// the English clock's limit; the winner's curse of naive common-value bidders; bad input.
// Each check uses one run of many auctions with a fixed seed and compares the mean with
// the known value within 4 standard errors.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "sim/error.hpp"
#include "sim/scenario.hpp"

namespace ms = marketsim;

namespace {

struct Outcome {
  std::map<std::string, double> scalars;
  std::map<std::string, std::vector<double>> series;
  double operator[](const std::string& name) const { return scalars.at(name); }
};

Outcome run(const std::vector<std::pair<std::string, std::string>>& settings, std::uint64_t seed = 2024) {
  const auto& info = ms::Registry::instance().get("sealed_bid_auction");
  std::vector<ms::Assignment> assignments;
  for (const auto& [key, value] : settings) assignments.push_back({key, value, "test", true});
  auto params = ms::resolve(info.schema, assignments, "sealed_bid_auction");
  auto result = ms::run_scenario(info, params, seed);
  Outcome out;
  for (std::size_t i = 0; i < info.scalars.size(); ++i) out.scalars[info.scalars[i].name] = result.scalars[i];
  for (std::size_t i = 0; i < info.series.size(); ++i) out.series[info.series[i].name] = result.series[i];
  return out;
}

const char* kFormats[] = {"first_price", "second_price", "all_pay", "english"};

// Expected revenue with n bidders, uniform [0, 1] values and a participation threshold t
// (t = r in first-price, second-price and English; t = v* with v*^n = r in all-pay):
// n * int_t^1 (2v - 1) v^{n-1} dv (Myerson 1981).
double uniform_revenue(int n, double t) {
  return n * (2 * (1 - std::pow(t, n + 1)) / (n + 1) - (1 - std::pow(t, n)) / n);
}

}  // namespace

TEST(SealedBidAuction, RevenueEquivalenceWithUniformValues) {
  for (int n : {2, 5}) {
    const double expected = (n - 1.0) / (n + 1.0);
    EXPECT_DOUBLE_EQ(uniform_revenue(n, 0), expected);
    for (const char* format : kFormats) {
      SCOPED_TRACE(testing::Message() << format << ", n = " << n);
      auto r = run({{"bidders", std::to_string(n)}, {"format", format}, {"rounds", "10000"}, {"increment", "1e-6"}});
      EXPECT_NEAR(r["revenue"], expected, 4 * r["revenue_se"]);
      EXPECT_LT(r["revenue_se"], 0.006);  // the test has power: 4 se < 0.024
      EXPECT_GE(r["efficiency"], 0.999);  // every format allocates to the highest value
      EXPECT_EQ(r["sale_rate"], 1.0);
    }
  }
}

TEST(SealedBidAuction, RevenueEquivalenceWithAReserve) {
  // n = 3, r = 0.25. First price, second price and English screen at r; the all-pay
  // auction at v* = r^{1/3}, where v* G(v*) = r.
  const int n = 3;
  const double r = 0.25;
  for (const char* format : kFormats) {
    SCOPED_TRACE(format);
    auto out = run({{"bidders", "3"}, {"format", format}, {"reserve", "0.25"}, {"rounds", "10000"}, {"increment", "1e-6"}});
    const bool all_pay = std::string(format) == "all_pay";
    const double threshold = all_pay ? std::cbrt(r) : r;
    EXPECT_NEAR(out["revenue"], uniform_revenue(n, threshold), 4 * out["revenue_se"]);
    EXPECT_NEAR(out["sale_rate"], 1 - std::pow(threshold, n), 0.01);  // 4 se of a share at 10,000
  }
}

TEST(SealedBidAuction, RevenueEquivalenceWithPowerLawValues) {
  // F(v) = v^2, n = 4: revenue = E[second-highest value] = n(n-1)k (1/(k(n-1)+1) - 1/(kn+1)) = 16/21.
  const double expected = 4 * 3 * 2 * (1.0 / 7 - 1.0 / 9);
  for (const char* format : kFormats) {
    SCOPED_TRACE(format);
    auto r = run({{"bidders", "4"}, {"format", format}, {"values", "power"}, {"power_exponent", "2"},
                  {"rounds", "10000"}, {"increment", "1e-6"}});
    EXPECT_NEAR(r["revenue"], expected, 4 * r["revenue_se"]);
  }
}

TEST(SealedBidAuction, RevenueEquivalenceWithTruncatedNormalValues) {
  // No closed form: the four formats must agree with each other (same seed, so the same
  // values in every format).
  std::vector<Outcome> runs;
  for (const char* format : kFormats)
    runs.push_back(run({{"bidders", "3"}, {"format", format}, {"values", "truncated_normal"}, {"normal_mean", "0.4"},
                        {"normal_sd", "0.3"}, {"rounds", "6000"}, {"increment", "1e-6"}}));
  for (std::size_t f = 1; f < runs.size(); ++f) {
    SCOPED_TRACE(kFormats[f]);
    const double se = std::hypot(runs[0]["revenue_se"], runs[f]["revenue_se"]);
    EXPECT_NEAR(runs[f]["revenue"], runs[0]["revenue"], 4 * se);
  }
}

TEST(SealedBidAuction, EnglishClockIsSecondPricePlusAboutHalfAnIncrement) {
  auto second = run({{"format", "second_price"}, {"rounds", "2000"}});
  // With a tiny increment the English and second-price auctions coincide auction by auction.
  auto fine = run({{"format", "english"}, {"rounds", "2000"}, {"increment", "1e-6"}});
  EXPECT_NEAR(fine["revenue"], second["revenue"], 1e-6);
  const auto& a = fine.series.at("revenue_t");
  const auto& b = second.series.at("revenue_t");
  for (std::size_t t = 0; t < a.size(); ++t) EXPECT_NEAR(a[t], b[t], 1e-6);
  // A coarse clock charges the first price above the runner-up's value: on average about
  // half an increment more (a little less, because near-ties end one step early).
  const double increment = 0.01;
  auto coarse = run({{"format", "english"}, {"rounds", "2000"}, {"increment", "0.01"}});
  const double premium = coarse["revenue"] - second["revenue"];
  EXPECT_GT(premium, 0.3 * increment);
  EXPECT_LT(premium, 0.6 * increment);
  EXPECT_LT(coarse["efficiency"], 1.0);  // near-ties are drawn at random
}

TEST(SealedBidAuction, NaiveBiddersSufferTheWinnersCurse) {
  // Common value V, signals V + N(0, 0.1^2), bid = signal in a first-price auction:
  // the winner pays V + 0.1 * max(e), so E[payoff] = -0.1 * E[max of n N(0, 1)]
  // = -0.0564, -0.1163, -0.1867 for n = 2, 5, 20.
  const std::map<int, double> expected_max = {{2, 0.56419}, {5, 1.16296}, {20, 1.86748}};
  double previous_payoff = 0, previous_rate = 0;
  for (auto [n, e_max] : expected_max) {
    SCOPED_TRACE(n);
    auto r = run({{"bidders", std::to_string(n)}, {"value_model", "common"}, {"strategy", "naive"},
                  {"signal_sd", "0.1"}, {"reserve", "-10"}, {"rounds", "4000"}});
    EXPECT_LT(r["winner_payoff"], 0.0);
    EXPECT_NEAR(r["winner_payoff"], -0.1 * e_max, 0.006);  // se about 0.0013
    EXPECT_LT(r["winner_payoff"], previous_payoff - 0.04);  // more bidders, deeper losses
    EXPECT_GT(r["winners_curse_rate"], previous_rate);
    EXPECT_GT(r["winners_curse_rate"], 0.5);
    EXPECT_EQ(r["efficiency"], 1.0);  // every bidder has the same value
    previous_payoff = r["winner_payoff"];
    previous_rate = r["winners_curse_rate"];
  }
}

TEST(SealedBidAuction, HandCheckableRuns) {
  // Truthful first-price bidders pay their value: zero payoff, revenue E[max] = n/(n+1).
  auto truthful = run({{"bidders", "3"}, {"strategy", "truthful"}, {"rounds", "4000"}});
  EXPECT_EQ(truthful["winner_payoff"], 0.0);
  EXPECT_EQ(truthful["winners_curse_rate"], 0.0);
  EXPECT_NEAR(truthful["revenue"], 0.75, 4 * truthful["revenue_se"]);
  // Shading every bid by 20% keeps the ranking: revenue 0.8 * 0.75.
  auto shaded = run({{"bidders", "3"}, {"strategy", "shade"}, {"shade", "0.2"}, {"rounds", "4000"}});
  EXPECT_NEAR(shaded["revenue"], 0.8 * truthful["revenue"], 1e-12);
  EXPECT_EQ(shaded["efficiency"], 1.0);
  // A single bidder facing a reserve of 0.5 in a second-price auction pays 0.5 when v >= 0.5.
  auto alone = run({{"bidders", "1"}, {"format", "second_price"}, {"reserve", "0.5"}, {"rounds", "4000"}});
  EXPECT_NEAR(alone["revenue"], 0.25, 4 * alone["revenue_se"]);
  EXPECT_NEAR(alone["revenue"], 0.5 * alone["sale_rate"], 1e-12);
  // A reserve above every value: no sale, nothing paid.
  auto none = run({{"reserve", "2"}, {"rounds", "50"}});
  EXPECT_EQ(none["sale_rate"], 0.0);
  EXPECT_EQ(none["revenue"], 0.0);
  EXPECT_EQ(none["winner_payoff"], 0.0);
  // The running mean ends at the run's mean revenue; round 0 has no auction.
  auto r = run({{"rounds", "100"}});
  EXPECT_DOUBLE_EQ(r.series.at("mean_revenue_t").back(), r["revenue"]);
  EXPECT_EQ(r.series.at("revenue_t").front(), 0.0);
  EXPECT_NEAR(r["bidder_surplus"], r["winner_payoff"], 1e-12);  // only the winner pays in first price
}

TEST(SealedBidAuction, BadInputIsAnError) {
  auto fails = [](const std::vector<std::pair<std::string, std::string>>& settings, const std::string& fragment) {
    try {
      run(settings);
      ADD_FAILURE() << "expected an error containing '" << fragment << "'";
    } catch (const ms::Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  fails({{"value_model", "common"}}, "needs value_model = private");
  fails({{"value_model", "common"}, {"strategy", "truthful"}}, "needs value_model = private");
  fails({{"value_low", "1"}, {"value_high", "1"}}, "value_low < value_high");
  fails({{"reserve", "-1"}}, "equilibrium needs value_low >= 0 and reserve >= 0");
  fails({{"values", "truncated_normal"}, {"normal_mean", "100"}, {"normal_sd", "1"}}, "probability >= 1e-12");
  fails({{"format", "dutch"}}, "format");
  fails({{"bidders", "0"}}, "bidders");
  fails({{"increment", "0"}}, "increment");
}
