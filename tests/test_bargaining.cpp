// Nash bargaining and Rubinstein alternating offers (markets/bargaining.hpp) against
// their closed forms (docs/mechanisms.md#bargaining).
#include <gtest/gtest.h>

#include <cmath>

#include "markets/bargaining.hpp"
#include "sim/error.hpp"

namespace bg = marketsim::bargaining;
using marketsim::Error;

TEST(Bargaining, TransferableSplitsGainsByPower) {
  // S = 10, d = (2, 3): gains 5 split 0.3 / 0.7.
  auto o = bg::nash_transferable(10.0, 2.0, 3.0, 0.3);
  EXPECT_TRUE(o.agreement);
  EXPECT_DOUBLE_EQ(o.u1, 3.5);
  EXPECT_DOUBLE_EQ(o.u2, 6.5);
  EXPECT_EQ(o.u1 + o.u2, 10.0);  // efficient exactly
  // Symmetric power: equal gains over the threat point.
  auto s = bg::nash_transferable(1.0, 0.1, 0.3, 0.5);
  EXPECT_DOUBLE_EQ(s.u1 - 0.1, s.u2 - 0.3);
  // All power to one side: it takes every gain, the other gets its threat point.
  EXPECT_DOUBLE_EQ(bg::nash_transferable(10.0, 2.0, 3.0, 1.0).u2, 3.0);
  EXPECT_DOUBLE_EQ(bg::nash_transferable(10.0, 2.0, 3.0, 0.0).u1, 2.0);
}

TEST(Bargaining, NoDealBelowTheThreatPointAndTieIsADeal) {
  auto o = bg::nash_transferable(4.0, 2.0, 3.0, 0.5);
  EXPECT_FALSE(o.agreement);
  EXPECT_EQ(o.u1, 2.0);
  EXPECT_EQ(o.u2, 3.0);
  auto tie = bg::nash_transferable(5.0, 2.0, 3.0, 0.5);
  EXPECT_TRUE(tie.agreement);
  EXPECT_EQ(tie.u1, 2.0);
  EXPECT_EQ(tie.u2, 3.0);
}

TEST(Bargaining, FrontierSolverMatchesTheTransferableClosedForm) {
  // Accuracy of golden section on a smooth maximum: about sqrt(machine epsilon) relative.
  const double accuracy = 1e-7;
  for (double a : {0.0, 0.2, 0.5, 0.8, 1.0}) {
    for (auto [d1, d2] : {std::pair{0.0, 0.0}, std::pair{1.0, 2.5}, std::pair{-1.0, 0.5}}) {
      SCOPED_TRACE(testing::Message() << "a=" << a << " d=(" << d1 << "," << d2 << ")");
      auto exact = bg::nash_transferable(6.0, d1, d2, a);
      auto num = bg::nash_frontier([](double u1) { return 6.0 - u1; }, -5.0, 11.0, d1, d2, a);
      EXPECT_TRUE(num.agreement);
      EXPECT_NEAR(num.u1, exact.u1, accuracy);
      EXPECT_NEAR(num.u1 + num.u2, 6.0, 1e-14);  // on the frontier
    }
  }
}

TEST(Bargaining, FrontierSolverMatchesACurvedClosedForm) {
  // u2 = 1 - u1^2, d = 0: maximising a log u1 + (1-a) log(1 - u1^2) gives
  // u1^2 = a / (2 - a).
  for (double a : {0.1, 0.5, 0.9}) {
    auto o = bg::nash_frontier([](double u) { return 1.0 - u * u; }, 0.0, 1.0, 0.0, 0.0, a);
    EXPECT_TRUE(o.agreement);
    EXPECT_NEAR(o.u1, std::sqrt(a / (2.0 - a)), 5e-8) << "a=" << a;
  }
  // Threat point cutting the frontier: d2 = 0.75 leaves u1 in [0, 0.5]; with a = 1 party 1
  // takes the end of that interval, found by bisection.
  auto edge = bg::nash_frontier([](double u) { return 1.0 - u * u; }, 0.0, 1.0, 0.0, 0.75, 1.0, 1e-12);
  EXPECT_NEAR(edge.u1, 0.5, 1e-11);
  EXPECT_GE(edge.u2, 0.75);
}

TEST(Bargaining, FrontierSolverFindsAKinkToTheTolerance) {
  // u2 = min(2 - 2 u1, 1 - u1 / 2), kinked at u1 = 2/3; with a = 1/2 and d = 0 the Nash
  // product rises along the first piece and falls along the second: the kink is the solution.
  auto kinked = [](double u) { return std::fmin(2.0 - 2.0 * u, 1.0 - 0.5 * u); };
  auto o = bg::nash_frontier(kinked, 0.0, 1.0, 0.0, 0.0, 0.5, 1e-12);
  EXPECT_NEAR(o.u1, 2.0 / 3.0, 1e-11);
  EXPECT_NEAR(o.u2, 2.0 / 3.0, 1e-11);
}

TEST(Bargaining, FrontierBelowTheThreatPointIsNoDeal) {
  auto o = bg::nash_frontier([](double u) { return 1.0 - u; }, 0.0, 1.0, 0.6, 0.6, 0.5);
  EXPECT_FALSE(o.agreement);
  EXPECT_EQ(o.u1, 0.6);
  EXPECT_EQ(o.u2, 0.6);
  // Threat point beyond the frontier's domain.
  EXPECT_FALSE(bg::nash_frontier([](double u) { return 1.0 - u; }, 0.0, 1.0, 2.0, 0.0, 0.5).agreement);
}

TEST(Bargaining, RubinsteinClosedForm) {
  auto s = bg::rubinstein_shares(0.9, 0.8);
  EXPECT_DOUBLE_EQ(s.proposer, 0.2 / 0.28);
  EXPECT_DOUBLE_EQ(s.responder, 1.0 - 0.2 / 0.28);
  // The responder gets its continuation value: delta_responder times its proposer share.
  EXPECT_NEAR(s.responder, 0.8 * bg::rubinstein_shares(0.8, 0.9).proposer, 1e-15);
  // Equal patience tending to 1: the split tends to 1/2 (first-mover advantage vanishes).
  for (double delta : {0.9, 0.99, 0.999, 0.9999}) {
    const double x = bg::rubinstein_shares(delta, delta).proposer;
    EXPECT_NEAR(x, 1.0 / (1.0 + delta), 1e-12);
    EXPECT_NEAR(x, 0.5, (1 - delta) / 2 + 1e-12);
  }
}

TEST(Bargaining, FiniteHorizonBackwardInductionConvergesToRubinstein) {
  const double d1 = 0.9, d2 = 0.7;
  const double limit = bg::rubinstein_shares(d1, d2).proposer;
  EXPECT_EQ(bg::rubinstein_finite(d1, d2, 1), 1.0);      // last round: proposer takes all
  EXPECT_DOUBLE_EQ(bg::rubinstein_finite(d1, d2, 2), 1.0 - d2);
  EXPECT_DOUBLE_EQ(bg::rubinstein_finite(d1, d2, 3), 1.0 - d2 * (1.0 - d1));
  double previous_gap = 1.0;
  for (int T = 1; T <= 60; ++T) {
    const double gap = std::fabs(bg::rubinstein_finite(d1, d2, T) - limit);
    // e_1 = (-1)^(T-1) * prod of the T-1 responders' discount factors * e_T, |e_T| <= 1.
    const double bound = std::pow(d1 * d2, (T - 1) / 2) * ((T - 1) % 2 ? d2 : 1.0);
    EXPECT_LE(gap, bound + 1e-15) << "T=" << T;
    if (T % 2 == 1) {  // over odd horizons the gap shrinks by d1 * d2 each time
      if (T > 1) EXPECT_LT(gap, previous_gap);
      previous_gap = gap;
    }
  }
  EXPECT_NEAR(bg::rubinstein_finite(d1, d2, 400), limit, 1e-14);
}

TEST(Bargaining, StationaryStrategiesAgreeAtOnceOnTheClosedForm) {
  for (auto [d0, d1] : {std::pair{0.9, 0.8}, std::pair{0.5, 0.95}, std::pair{0.99, 0.99}}) {
    const auto st = bg::rubinstein_strategies(d0, d1);
    for (int first : {0, 1}) {
      auto play = bg::play_alternating_offers(d0, d1, st, first);
      ASSERT_TRUE(play.agreed);
      EXPECT_EQ(play.round, 1);
      EXPECT_EQ(play.proposer, first);
      const double x = first == 0 ? bg::rubinstein_shares(d0, d1).proposer : bg::rubinstein_shares(d1, d0).proposer;
      EXPECT_NEAR(play.share[first], x, 1e-15);
      EXPECT_NEAR(play.payoff[first], x, 1e-15);
    }
  }
}

TEST(Bargaining, NoProfitableOneShotDeviation) {
  // Subgame perfection: party 0 proposing first gains nothing by offering any other share
  // once, then returning to the stationary strategy; a lower offer is rejected and costs a
  // round, a higher one gives away more.
  const double d0 = 0.9, d1 = 0.8;
  const auto eq = bg::rubinstein_strategies(d0, d1);
  const double value = bg::play_alternating_offers(d0, d1, eq, 0).payoff[0];
  for (int k = 0; k <= 100; ++k) {
    const double offer = k / 100.0;
    double payoff;
    if (offer >= eq.accept[1]) {
      payoff = 1.0 - offer;
    } else {  // rejected: party 1 proposes in round 2 under the equilibrium
      payoff = d0 * bg::play_alternating_offers(d0, d1, eq, 1).share[0];
    }
    EXPECT_LE(payoff, value + 1e-15) << "offer " << offer;
  }
  // A responder who demands more than its continuation value delays agreement.
  auto greedy = eq;
  greedy.accept[1] = eq.offer[0] + 0.01;
  auto play = bg::play_alternating_offers(d0, d1, greedy, 0);
  EXPECT_EQ(play.round, 2);
  EXPECT_EQ(play.proposer, 1);
  EXPECT_NEAR(play.payoff[1], d1 * bg::rubinstein_shares(d1, d0).proposer, 1e-15);
  // No agreement within max_rounds when nobody ever accepts.
  auto stubborn = eq;
  stubborn.accept = {1.5, 1.5};
  EXPECT_FALSE(bg::play_alternating_offers(d0, d1, stubborn, 0, 10).agreed);
}

TEST(Bargaining, RubinsteinTendsToNashWithPowerFromLogDiscounts) {
  // delta_i = exp(-r_i dt): as dt -> 0 both proposers' shares tend to the Nash split
  // with power a = r2 / (r1 + r2) = log delta2 / (log delta1 + log delta2).
  const double r1 = 0.05, r2 = 0.15;
  const double a_limit = r2 / (r1 + r2);
  double previous = 1.0;
  for (double dt : {1.0, 0.1, 0.01, 0.001}) {
    const double d1 = std::exp(-r1 * dt), d2 = std::exp(-r2 * dt);
    EXPECT_NEAR(bg::rubinstein_power(d1, d2), a_limit, 1e-12);
    const double first = bg::rubinstein_shares(d1, d2).proposer;
    const double second = 1.0 - bg::rubinstein_shares(d2, d1).proposer;  // party 1's share when 2 proposes
    const double nash = bg::nash_transferable(1.0, 0.0, 0.0, bg::rubinstein_power(d1, d2)).u1;
    const double gap = std::max(std::fabs(first - nash), std::fabs(second - nash));
    EXPECT_LT(gap, previous);
    EXPECT_LE(gap, (r1 + r2) * dt);  // the first-mover advantage is O(dt)
    previous = gap;
  }
  EXPECT_LT(previous, 1e-3);
}

TEST(Bargaining, BadArgumentsThrow) {
  EXPECT_THROW(bg::nash_transferable(1.0, 0.0, 0.0, 1.5), Error);
  EXPECT_THROW(bg::nash_transferable(1.0, 0.0, 0.0, -0.1), Error);
  EXPECT_THROW(bg::nash_transferable(NAN, 0.0, 0.0, 0.5), Error);
  auto line = [](double u) { return 1.0 - u; };
  EXPECT_THROW(bg::nash_frontier(line, 1.0, 0.0, 0.0, 0.0, 0.5), Error);       // empty interval
  EXPECT_THROW(bg::nash_frontier(line, 0.0, 1.0, 0.0, 0.0, 0.5, 0.0), Error);  // tolerance
  EXPECT_THROW(bg::nash_frontier([](double) { return NAN; }, 0.0, 1.0, 0.0, 0.0, 0.5), Error);
  EXPECT_THROW(bg::nash_frontier({}, 0.0, 1.0, 0.0, 0.0, 0.5), Error);
  for (double bad : {0.0, 1.0, -0.5, 1.5, double(NAN)}) {
    EXPECT_THROW(bg::rubinstein_shares(bad, 0.5), Error);
    EXPECT_THROW(bg::rubinstein_shares(0.5, bad), Error);
    EXPECT_THROW(bg::rubinstein_power(bad, 0.5), Error);
    EXPECT_THROW(bg::rubinstein_finite(0.5, bad, 3), Error);
  }
  EXPECT_THROW(bg::rubinstein_finite(0.5, 0.5, 0), Error);
  auto eq = bg::rubinstein_strategies(0.5, 0.5);
  EXPECT_THROW(bg::play_alternating_offers(0.5, 0.5, eq, 2), Error);
  EXPECT_THROW(bg::play_alternating_offers(0.5, 0.5, eq, 0, 0), Error);
  eq.offer[0] = 1.2;
  EXPECT_THROW(bg::play_alternating_offers(0.5, 0.5, eq, 0), Error);
  try {
    bg::rubinstein_shares(1.0, 0.5);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(0, 1)"), std::string::npos) << e.what();
  }
}
