// hq_bidding and its contest mechanism (scenarios/hq_bidding/contest.hpp) against the known
// results of docs/models/hq_bidding.md: the winner's curse grows with the number of naive
// bidders; a pact that cannot bind changes nothing, bit for bit; a match pact lowers the
// subsidy iff match (1 - school_value) > 0; ban gives zero subsidy; the welfare identity;
// the first-price bid (n-1)/n v; no breach under certain detection and a large penalty;
// one bidder bids zero; every unit of subsidy counted once on each side; in a contest with
// bound and free cities the bids are the two-class equilibrium's and no unilateral deviation
// pays; only mixed contests of equilibrium bidders use the two-class tables.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "scenarios/hq_bidding/contest.hpp"
#include "scenarios/hq_bidding/hq_bidding.hpp"
#include "sim/error.hpp"
#include "sim/scenario.hpp"

namespace ms = marketsim;
namespace mc = marketsim::contest;

namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

ms::Params params(const Settings& settings) {
  const auto& info = ms::Registry::instance().get("hq_bidding");
  std::vector<ms::Assignment> assignments;
  for (const auto& [key, value] : settings) assignments.push_back({key, value, "test", true});
  return ms::resolve(info.schema, assignments, "hq_bidding");
}

ms::RunResult raw(const Settings& settings, std::uint64_t seed = 7) {
  const auto& info = ms::Registry::instance().get("hq_bidding");
  std::vector<ms::Assignment> assignments;
  for (const auto& [key, value] : settings) assignments.push_back({key, value, "test", true});
  return ms::run_scenario(info, ms::resolve(info.schema, assignments, "hq_bidding"), seed);
}

std::map<std::string, double> run(const Settings& settings, std::uint64_t seed = 7) {
  const auto& info = ms::Registry::instance().get("hq_bidding");
  const auto result = raw(settings, seed);
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < info.scalars.size(); ++i) out[info.scalars[i].name] = result.scalars[i];
  return out;
}

Settings with(Settings base, const Settings& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

}  // namespace

TEST(HqBidding, WinnersCurseRisesWithCitiesUnderNaiveBidding) {
  double previous = -1;
  for (const char* cities : {"2", "10", "50", "250"}) {
    auto r = run({{"strategy", "naive"}, {"cities", cities}, {"rounds", "2000"}, {"naive_share", "0.6"}});
    SCOPED_TRACE(cities);
    // 2000 contests: a rate's sd is at most 0.011; the steps are several times that.
    EXPECT_GT(r["winners_curse_rate"], previous + 0.04);
    previous = r["winners_curse_rate"];
  }
}

TEST(HqBidding, ThresholdAboveCitiesIsBitIdenticalToNoPact) {
  for (const char* strategy : {"naive", "equilibrium", "learning"}) {
    SCOPED_TRACE(strategy);
    const Settings base{{"strategy", strategy}, {"rounds", "30"}, {"cities", "20"}};
    const auto none = raw(with(base, {{"coordination", "none"}}));
    for (const char* rule : {"match", "cap", "ban"})
      EXPECT_TRUE(raw(with(base, {{"coordination", "pact"}, {"threshold", "21"}, {"pact_rule", rule}})) == none);
  }
}

TEST(HqBidding, MatchLowersSubsidyExactlyWhenItCostsTheSigner) {
  for (const char* strategy : {"naive", "equilibrium"}) {
    SCOPED_TRACE(strategy);
    const Settings base{{"strategy", strategy}, {"rounds", "300"}, {"penalty", "1000"}};
    auto none = run(with(base, {{"coordination", "none"}}));
    const Settings pact{{"coordination", "pact"}, {"sign_rule", "always"}};
    auto costly = run(with(base, with(pact, {{"match", "5"}, {"school_value", "0.5"}})));
    EXPECT_EQ(costly["pact_formed"], 1.0);
    EXPECT_LT(costly["subsidy"], 0.5 * none["subsidy"]);
    EXPECT_GT(costly["school_investment"], 0.0);
    // match (1 - school_value) = 0: the same subsidies, winners and welfare.
    for (const Settings& free : {Settings{{"match", "5"}, {"school_value", "1"}}, Settings{{"match", "0"}}}) {
      auto r = run(with(base, with(pact, free)));
      for (const char* k : {"subsidy", "welfare", "winner_benefit", "winner_fundamentals", "winner_net_benefit",
                            "winners_curse_rate", "firm_surplus", "cities_payoff"})
        EXPECT_EQ(r[k], none[k]) << k;
    }
    // ban: compliant signers pay nothing.
    auto ban = run(with(base, with(pact, {{"pact_rule", "ban"}})));
    EXPECT_EQ(ban["breaches"], 0.0);
    EXPECT_EQ(ban["subsidy"], 0.0);
  }
}

TEST(HqBidding, WelfareIdentityHoldsInEveryRun) {
  const std::vector<Settings> cases{
      {},
      {{"coordination", "pact"}, {"public_funds_cost", "0.3"}},
      {{"coordination", "pact"}, {"sign_rule", "always"}, {"detect_prob", "0.5"}, {"penalty", "0.05"}},
      {{"coordination", "cap"}, {"detect_prob", "0.2"}, {"penalty", "0.01"}, {"strategy", "naive"}},
      {{"strategy", "learning"}, {"disclosure", "public"}, {"coordination", "pact"}, {"threshold", "10"}},
      {{"choice_noise", "0.2"}, {"reserve", "1.5"}},
  };
  for (const auto& c : cases) {
    auto r = run(with(c, {{"rounds", "100"}}));
    EXPECT_LT(r["identity_error"], 1e-12);
    EXPECT_NEAR(r["welfare"], r["cities_payoff"] + r["firm_surplus"], 1e-12);
  }
  // Breaches happen in the third case, so penalties are moved around there.
  auto r = run(with(cases[2], {{"rounds", "100"}}));
  EXPECT_GT(r["breaches"], 0.0);
  EXPECT_GT(r["penalties"], 0.0);
}

TEST(HqBidding, EquilibriumReproducesFirstPriceBidWithUniformValues) {
  for (std::int64_t n : {2, 5, 50}) {
    mc::ScoringEquilibrium eq([](double v) { return std::clamp(v, 0.0, 1.0); }, 0, 1, n, 0);
    EXPECT_LT(eq.accuracy(), 5e-5);
    // The reported accuracy bounds the true error where a type can win (F^{n-1} >= 1e-9).
    for (double v : {0.1, 0.5, 0.9, 1.0}) {
      const double tol = std::pow(v, n - 1.0) >= 1e-9 ? eq.accuracy() + 1e-12 : 1e-5;
      EXPECT_NEAR(eq.score(v), (n - 1.0) / n * v, tol) << "n = " << n << ", v = " << v;
    }
  }
  // In the scenario: no fundamentals, uniform benefits on [0, 2], exact estimates.
  for (const char* n : {"2", "5"}) {
    auto r = run({{"cities", n}, {"benefit_dist", "uniform"}, {"benefit_mean", "1"},
                  {"benefit_sd", "0.5773502691896258"}, {"estimate_sd", "0"}, {"bias", "0"},
                  {"fundamentals_mean", "0"}, {"fundamentals_sd", "0"}, {"rounds", "200"}});
    const double k = (std::stod(n) - 1) / std::stod(n);
    EXPECT_NEAR(r["subsidy"] / r["winner_benefit"], k, 1e-4);
    EXPECT_EQ(r["efficiency"], 1.0);
  }
}

TEST(HqBidding, NoBreachUnderCertainDetectionAndLargePenalty) {
  for (const char* rule : {"match", "cap", "ban"}) {
    SCOPED_TRACE(rule);
    const Settings base{{"coordination", "pact"}, {"sign_rule", "always"}, {"pact_rule", rule}, {"rounds", "100"}};
    EXPECT_EQ(run(with(base, {{"detect_prob", "1"}, {"penalty", "100"}}))["breaches"], 0.0);
    EXPECT_GT(run(with(base, {{"detect_prob", "0"}}))["breaches"], 0.0);  // the test has power
  }
}

TEST(HqBidding, OneBidderWithoutReserveBidsZero) {
  mc::ScoringEquilibrium eq([](double v) { return std::clamp(v, 0.0, 1.0); }, 0, 1, 1, 0);
  for (double v : {0.0, 0.3, 1.0}) EXPECT_EQ(eq.score(v), 0.0);
  mc::ScoringEquilibrium reserve([](double v) { return std::clamp(v, 0.0, 1.0); }, 0, 1, 1, 0.4);
  EXPECT_EQ(reserve.score(0.3), ms::kNoBid);
  EXPECT_EQ(reserve.score(0.7), 0.4);
}

TEST(HqBidding, SubsidyCountedOnceOnEachSide) {
  // Hand case: three cities, city 1 bound and breaching (detected), city 2 bound.
  const std::vector<double> a{1.0, 0.5, 0.9}, B{0.8, 1.2, 0.7}, bid{0.2, 0.8, 0.1};
  const std::vector<std::uint8_t> bound{0, 1, 1}, breach{0, 1, 0};
  mc::PactTerms terms;
  terms.rule = mc::PactRule::cap;
  terms.cap_level = 0.3;
  terms.penalty = 0.25;
  std::vector<double> payoff(3);
  ms::Stream det(1, 1), choice(1, 2);
  auto out = mc::settle_contest({a, B, bid, bound, breach}, terms, {}, det, choice, payoff);
  ASSERT_EQ(out.winner, 1u);  // 0.5 + 0.8 = 1.3 beats 1.2 and 1.0
  EXPECT_EQ(out.subsidy, 0.8);
  EXPECT_EQ(out.firm_surplus, 0.5 + 0.8);
  EXPECT_EQ(out.detected, 1u);
  EXPECT_DOUBLE_EQ(payoff[1], 1.2 - 0.8 - 0.25);
  EXPECT_DOUBLE_EQ(payoff[2], 0.25);  // the only other bound city receives the penalty
  EXPECT_EQ(payoff[0], 0.0);
  EXPECT_DOUBLE_EQ(out.welfare, 1.2 + 0.5);
  // In the scenario, over many contests.
  for (const char* coord : {"none", "pact", "cap"}) {
    auto r = run({{"coordination", coord}, {"rounds", "200"}, {"public_funds_cost", "0.2"}});
    EXPECT_NEAR(r["firm_surplus"] - r["winner_fundamentals"], r["subsidy"], 1e-12);
    EXPECT_NEAR(r["winner_benefit"] - r["winner_cost"], r["winner_net_benefit"] * r["sale_rate"], 1e-12);
  }
}

TEST(HqBidding, BadInputIsAnError) {
  const std::vector<double> one{1.0}, neg{-0.1};
  const std::vector<std::uint8_t> no{0};
  std::vector<double> payoff(1);
  ms::Stream s(1, 1);
  EXPECT_THROW(mc::settle_contest({one, one, neg, no, no}, {}, {}, s, s, payoff), ms::Error);
  EXPECT_THROW(mc::ScoringEquilibrium([](double) { return 0.5; }, 1, 0, 2, 0), ms::Error);
  EXPECT_THROW(mc::parse_pact_rule("cartel"), ms::Error);
  EXPECT_THROW(run({{"benefit_dist", "uniform"}}), ms::Error);  // needs estimate_sd = 0
  EXPECT_THROW(run({{"coordination", "coalition"}}), ms::Error);
}

TEST(HqBidding, MixedContestBidsAreTheTwoClassEquilibriumAndDeviationsDoNotPay) {
  // 2 of 5 cities sign a match pact whatever their draws (c_b = 1.5, c_f = 1); equal
  // fundamentals and unbiased estimates, so the floor S >= 0 never binds and, with penalty
  // 1000, nobody breaches: the bids are exactly the two-class equilibrium's, and the cities'
  // beliefs are right. Over 20000 contests (common draws), a bound and a free city that
  // shift their subsidy by +-0.02 or +-0.1 given the others' bids do not gain: the mean
  // payoff change is below 2 standard errors, and the large shifts lose significantly.
  const auto p = params({{"cities", "5"}, {"coordination", "pact"}, {"sign_rule", "fixed"}, {"fixed_signers", "2"},
                         {"threshold", "2"}, {"match", "1"}, {"school_value", "0.5"}, {"penalty", "1000"},
                         {"bias", "0"}, {"fundamentals_sd", "0"}});
  ms::Run context(ms::Registry::instance().get("hq_bidding"), p, 11, nullptr);
  ms::HqBidding model(context);
  const auto* eq = model.mixed_equilibrium(2);
  ASSERT_NE(eq, nullptr);
  EXPECT_EQ(model.mixed_equilibrium(0), nullptr);
  EXPECT_EQ(model.mixed_equilibrium(5), nullptr);
  EXPECT_LT(eq->accuracy(), 1e-4);
  const double shifts[] = {-0.1, -0.02, 0.02, 0.1};
  const std::size_t cities[] = {0, 4};  // bound, free
  double sum[2][4] = {}, sum2[2][4] = {};
  std::size_t mismatches = 0;
  constexpr int kContests = 20000;
  for (int r = 1; r <= kContests; ++r) {
    model.step(r);
    const auto bids = model.bids(), v = model.values(), a = model.fundamentals();
    for (std::size_t i = 0; i < 5; ++i) {
      const bool bound = model.bound()[i];
      const double expected = std::max(0.0, eq->score(bound ? 0 : 1, a[i] + v[i] / model.unit_cost(bound)) - a[i]);
      mismatches += bids[i] != expected || bound != (i < 2);
    }
    for (int c = 0; c < 2; ++c) {
      const std::size_t i = cities[c];
      double rival = -INFINITY;
      for (std::size_t j = 0; j < 5; ++j)
        if (j != i) rival = std::max(rival, a[j] + bids[j]);
      const double cost = model.unit_cost(i < 2);
      auto payoff = [&](double s) { return a[i] + s > rival ? v[i] - cost * s : 0.0; };
      for (int d = 0; d < 4; ++d) {
        const double gain = payoff(std::max(0.0, bids[i] + shifts[d])) - payoff(bids[i]);
        sum[c][d] += gain;
        sum2[c][d] += gain * gain;
      }
    }
  }
  EXPECT_EQ(mismatches, 0u);
  for (int c = 0; c < 2; ++c)
    for (int d = 0; d < 4; ++d) {
      const double mean = sum[c][d] / kContests;
      const double se = std::sqrt((sum2[c][d] / kContests - mean * mean) / kContests);
      SCOPED_TRACE(testing::Message() << "city " << cities[c] << ", shift " << shifts[d]);
      EXPECT_LT(mean, 2 * se);
      if (std::abs(shifts[d]) > 0.05) EXPECT_LT(mean, -3 * se);  // the test has power
    }
}

TEST(HqBidding, TwoClassTablesOnlyInMixedContestsOfEquilibriumBidders) {
  const Settings mixed{{"cities", "10"}, {"coordination", "pact"}, {"sign_rule", "fixed"}, {"fixed_signers", "3"},
                       {"threshold", "1"}};
  auto has_mixed = [](const Settings& s, std::int64_t m) {
    const auto p = params(s);
    ms::Run context(ms::Registry::instance().get("hq_bidding"), p, 1, nullptr);
    return ms::HqBidding(context).mixed_equilibrium(m) != nullptr;
  };
  EXPECT_TRUE(has_mixed(mixed, 3));
  EXPECT_TRUE(has_mixed(mixed, 9));
  EXPECT_FALSE(has_mixed(mixed, 0));
  EXPECT_FALSE(has_mixed(mixed, 10));
  EXPECT_FALSE(has_mixed(with(mixed, {{"strategy", "naive"}}), 2));
  EXPECT_FALSE(has_mixed(with(mixed, {{"pact_rule", "cap"}}), 2));        // equal costs: the symmetric table
  EXPECT_FALSE(has_mixed(with(mixed, {{"school_value", "1"}}), 2));       // match costs nothing
  EXPECT_FALSE(has_mixed({{"coordination", "none"}}, 2));
  // Everyone or nobody bound: the same outputs as the symmetric model, bit for bit.
  const Settings base{{"cities", "6"}, {"rounds", "20"}, {"coordination", "pact"}};
  EXPECT_TRUE(raw(with(base, {{"sign_rule", "fixed"}, {"fixed_signers", "6"}})) == raw(with(base, {{"sign_rule", "always"}})));
  EXPECT_TRUE(raw(with(base, {{"sign_rule", "fixed"}, {"fixed_signers", "0"}})) == raw(with(base, {{"sign_rule", "never"}})));
  EXPECT_THROW(run({{"cities", "4"}, {"sign_rule", "fixed"}, {"fixed_signers", "5"}}), ms::Error);
}

TEST(HqBidding, UnsolvedTwoClassContestsFallBackAndAreCounted) {
  // 2 of 6 cities bound (defaults otherwise): the shooting cannot resolve the bids of types
  // whose chance to win is ~1e-8 (the score range below them is long), the two tables differ
  // by more than 1e-3, so the contest uses the symmetric tables, says so, and does not throw.
  const Settings s{{"cities", "6"}, {"rounds", "4"}, {"coordination", "pact"}, {"sign_rule", "fixed"},
                   {"fixed_signers", "2"}, {"threshold", "1"}};
  const auto p = params(s);
  ms::Run context(ms::Registry::instance().get("hq_bidding"), p, 1, nullptr);
  EXPECT_EQ(ms::HqBidding(context).mixed_equilibrium(2), nullptr);
  EXPECT_DOUBLE_EQ(run(s).at("two_class_fallbacks"), 1.0);
  EXPECT_DOUBLE_EQ(run(s).at("two_class_contests"), 0.0);
  const Settings solved = with(s, {{"cities", "10"}, {"fixed_signers", "3"}});
  EXPECT_DOUBLE_EQ(run(solved).at("two_class_fallbacks"), 0.0);
  EXPECT_DOUBLE_EQ(run(solved).at("two_class_contests"), 1.0);
  EXPECT_DOUBLE_EQ(run({{"cities", "6"}, {"coordination", "pact"}}).at("two_class_contests"), 0.0);
}
