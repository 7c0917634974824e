// Threshold pledges (markets/threshold_pledge.hpp): formation in both modes, exact
// refunds and bonus accounting, live arrival (docs/mechanisms.md#threshold-pledges).
#include <gtest/gtest.h>

#include <boost/random/uniform_int_distribution.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

#include "markets/threshold_pledge.hpp"
#include "sim/error.hpp"
#include "sim/random.hpp"

namespace pl = marketsim::pledges;
using marketsim::Error;
using marketsim::Stream;

namespace {

pl::Rule sum_rule(std::int64_t threshold, pl::Bonus bonus = pl::Bonus::none, std::int64_t amount = 0) {
  return {pl::Threshold::sum, threshold, bonus, amount};
}

std::int64_t total(const std::vector<std::int64_t>& v) { return std::accumulate(v.begin(), v.end(), std::int64_t{0}); }

// The accounting identities every settlement must satisfy.
void expect_exact_accounting(const pl::Rule& rule, const std::vector<std::int64_t>& pledges, const pl::Settlement& s) {
  const auto& t = s.totals;
  EXPECT_EQ(t.pledged, total(pledges));
  EXPECT_EQ(total(s.collected) + total(s.refunded), t.pledged);
  EXPECT_EQ(total(s.collected), t.collected);
  EXPECT_EQ(total(s.refunded), t.refunded);
  EXPECT_EQ(total(s.bonus), t.bonuses);
  for (std::size_t i = 0; i < pledges.size(); ++i) {
    EXPECT_EQ(s.collected[i] + s.refunded[i], pledges[i]);
    EXPECT_EQ(s.collected[i], t.formed ? pledges[i] : 0);
    EXPECT_EQ(s.bonus[i], t.formed ? 0 : pl::bonus_for(rule, pledges[i]));
  }
  const auto only = pl::settle_totals(rule, pledges);
  EXPECT_EQ(only.formed, t.formed);
  EXPECT_EQ(only.collected, t.collected);
  EXPECT_EQ(only.refunded, t.refunded);
  EXPECT_EQ(only.bonuses, t.bonuses);
  EXPECT_EQ(only.pledgers, t.pledgers);
}

}  // namespace

TEST(ThresholdPledge, SumModeFormsExactlyAtTheThreshold) {
  const std::vector<std::int64_t> pledges{500, 0, 250, 250};
  for (std::int64_t threshold : {999, 1000, 1001}) {
    const auto rule = sum_rule(threshold);
    const auto s = pl::settle(rule, pledges);
    EXPECT_EQ(s.totals.formed, threshold <= 1000) << threshold;
    EXPECT_EQ(s.totals.pledged, 1000);
    EXPECT_EQ(s.totals.pledgers, 3);
    expect_exact_accounting(rule, pledges, s);
  }
}

TEST(ThresholdPledge, CountModeCountsPositivePledgesOnly) {
  const std::vector<std::int64_t> pledges{1, 0, 1, 7, 0};
  for (std::int64_t threshold : {2, 3, 4}) {
    const pl::Rule rule{pl::Threshold::count, threshold};
    const auto s = pl::settle(rule, pledges);
    EXPECT_EQ(s.totals.formed, threshold <= 3) << threshold;
    expect_exact_accounting(rule, pledges, s);
  }
}

TEST(ThresholdPledge, RefundsAreExactOnFailure) {
  const std::vector<std::int64_t> pledges{123, 456, 0, 789};
  const auto s = pl::settle(sum_rule(10'000), pledges);
  EXPECT_FALSE(s.totals.formed);
  EXPECT_EQ(s.refunded, pledges);
  EXPECT_EQ(s.totals.collected, 0);
  EXPECT_EQ(s.totals.bonuses, 0);
}

TEST(ThresholdPledge, ThresholdZeroIsVoluntaryContribution) {
  const std::vector<std::int64_t> none(5, 0);
  EXPECT_TRUE(pl::settle_totals(sum_rule(0), none).formed);
  const std::vector<std::int64_t> some{0, 3, 0};
  const auto t = pl::settle_totals(sum_rule(0), some);
  EXPECT_TRUE(t.formed);
  EXPECT_EQ(t.collected, 3);
  EXPECT_EQ(t.refunded, 0);
}

TEST(ThresholdPledge, DominantAssuranceBonusAccounting) {
  const std::vector<std::int64_t> pledges{100, 0, 250, 333};
  // Fixed bonus per pledger, paid only on failure and only to pledgers.
  const auto fixed = sum_rule(10'000, pl::Bonus::per_pledger, 25);
  const auto f = pl::settle(fixed, pledges);
  EXPECT_EQ(f.bonus, (std::vector<std::int64_t>{25, 0, 25, 25}));
  EXPECT_EQ(f.totals.bonuses, 75);
  EXPECT_EQ(f.totals.organiser_cost(), 75);
  expect_exact_accounting(fixed, pledges, f);
  // Proportional: 12.5% = 125000 ppm, rounded down to the cent: 12, 0, 31, 41.
  const auto share = sum_rule(10'000, pl::Bonus::proportional, 125'000);
  const auto p = pl::settle(share, pledges);
  EXPECT_EQ(p.bonus, (std::vector<std::int64_t>{12, 0, 31, 41}));
  EXPECT_EQ(p.totals.bonuses, 84);
  expect_exact_accounting(share, pledges, p);
  // No bonus when the contract forms.
  const auto formed = pl::settle(sum_rule(683, pl::Bonus::per_pledger, 25), pledges);
  EXPECT_TRUE(formed.totals.formed);
  EXPECT_EQ(formed.totals.bonuses, 0);
}

TEST(ThresholdPledge, RandomisedAccountingIsExact) {
  Stream s(42, 1);
  boost::random::uniform_int_distribution<std::int64_t> amount(0, 100'000), size(0, 60), coin(0, 3);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<std::int64_t> pledges(static_cast<std::size_t>(size(s)));
    for (auto& p : pledges) p = coin(s) == 0 ? 0 : amount(s);
    const auto mode = trial % 2 ? pl::Threshold::count : pl::Threshold::sum;
    const auto bonus = static_cast<pl::Bonus>(trial % 3);
    const pl::Rule rule{mode, mode == pl::Threshold::count ? coin(s) * 15 : amount(s) * 20, bonus, amount(s)};
    expect_exact_accounting(rule, pledges, pl::settle(rule, pledges));
  }
}

TEST(ThresholdPledge, LiveArrivalSeesTheRunningState) {
  // Each arrival pledges 100 only if the goal is not met yet (a "last pledger needed"
  // rule): the goal is met exactly, by the first goal/100 arrivals.
  const std::uint32_t n = 50;
  const auto rule = sum_rule(1'000);
  const auto order = pl::arrival_order(7, 3, 0, n);
  std::vector<std::int64_t> pledges(n, 0);
  std::vector<std::int64_t> seen_total;
  const auto state = pl::pledge_live(order, pledges, [&](std::uint32_t, const pl::State& st) {
    seen_total.push_back(st.total);
    return st.reached(rule) ? std::int64_t{0} : std::int64_t{100};
  });
  EXPECT_EQ(state.total, 1'000);
  EXPECT_EQ(state.pledgers, 10);
  EXPECT_EQ(state.arrived, n);
  for (std::size_t k = 0; k < n; ++k) {
    EXPECT_EQ(seen_total[k], std::min<std::int64_t>(100 * static_cast<std::int64_t>(k), 1'000));
    EXPECT_EQ(pledges[order[k]], k < 10 ? 100 : 0);  // the first ten in the drawn order
  }
  EXPECT_TRUE(pl::settle_totals(rule, pledges).formed);
  EXPECT_EQ(state.missing(rule), 0);
  EXPECT_EQ(pl::State{}.missing(rule), 1'000);
}

TEST(ThresholdPledge, ArrivalOrderIsAPermutationFixedBySeed) {
  const auto a = pl::arrival_order(11, 5, 2, 1000);
  EXPECT_EQ(a, pl::arrival_order(11, 5, 2, 1000));
  EXPECT_NE(a, pl::arrival_order(12, 5, 2, 1000));
  EXPECT_NE(a, pl::arrival_order(11, 5, 3, 1000));
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (std::uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(sorted[i], i);
}

TEST(ThresholdPledge, BadArgumentsThrow) {
  const std::vector<std::int64_t> ok{1, 2};
  EXPECT_THROW(pl::settle(sum_rule(-1), ok), Error);
  EXPECT_THROW(pl::settle(pl::Rule{pl::Threshold::count, -3}, ok), Error);
  EXPECT_THROW(pl::settle(sum_rule(10, pl::Bonus::per_pledger, -5), ok), Error);
  EXPECT_THROW(pl::settle(sum_rule(10), std::vector<std::int64_t>{1, -2}), Error);
  EXPECT_THROW(pl::settle_totals(sum_rule(10), std::vector<std::int64_t>{INT64_MAX, 1}), Error);
  std::vector<std::int64_t> pledges(3, 0);
  const std::vector<std::uint32_t> twice{0, 1, 0}, beyond{0, 3};
  auto one = [](std::uint32_t, const pl::State&) { return std::int64_t{1}; };
  EXPECT_THROW(pl::pledge_live(twice, pledges, one), Error);
  EXPECT_THROW(pl::pledge_live(beyond, pledges, one), Error);
  const std::vector<std::uint32_t> order{0, 1, 2};
  EXPECT_THROW(pl::pledge_live(order, pledges, [](std::uint32_t, const pl::State&) { return std::int64_t{-1}; }),
               Error);
  try {
    pl::settle(sum_rule(-1), ok);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("threshold"), std::string::npos) << e.what();
  }
}
