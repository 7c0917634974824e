// agents/staircase.hpp: the proposer's staircase with memory on hand cases, settling at a
// fixed reservation to within a step with rare failed probes, following a moving one, and
// its argument errors.
#include <gtest/gtest.h>

#include <limits>

#include "agents/staircase.hpp"
#include "sim/error.hpp"

namespace ms = marketsim;

TEST(Staircase, ProbesSettlesAndFollowsRisingDemands) {
  const double inf = std::numeric_limits<double>::infinity();
  ms::Staircase l{inf, -inf, 0.3};
  EXPECT_DOUBLE_EQ(ms::next_offer(l, 0.02), 0.3);
  ms::learn(l, 0.3, true, 0.0);  // accepted: probe down
  EXPECT_DOUBLE_EQ(ms::next_offer(l, 0.02), 0.28);
  ms::learn(l, 0.28, false, 0.0);  // refused: back to the accepted share
  EXPECT_DOUBLE_EQ(ms::next_offer(l, 0.02), 0.3);
  ms::learn(l, 0.3, true, 0.01);  // the refusal fades (0.28 -> 0.27), not yet by a step
  EXPECT_DOUBLE_EQ(ms::next_offer(l, 0.02), 0.3);
  ms::learn(l, 0.3, true, 0.02);  // now it has (0.25): probe again
  EXPECT_DOUBLE_EQ(ms::next_offer(l, 0.02), 0.28);
  ms::learn(l, 0.3, false, 0.0);  // the accepted share is refused: demands rose, go up
  EXPECT_DOUBLE_EQ(ms::next_offer(l, 0.02), 0.32);
  ms::Staircase fresh{inf, -inf, 0.3};
  ms::learn(fresh, 0.3, false, 0.0);  // refused before any acceptance: step up
  EXPECT_DOUBLE_EQ(ms::next_offer(fresh, 0.02), 0.32);
}

TEST(Staircase, SettlesWithinAStepOfAFixedReservation) {
  // A responder accepting any term >= 0.437; the proposer starts far above (a generous
  // first offer) and far below (a stingy one).
  for (const double start : {0.9, 0.1}) {
    ms::Staircase s{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(), start};
    int failures = 0;
    double last = 0;
    for (int t = 0; t < 400; ++t) {
      const double x = ms::next_offer(s, 0.02);
      const bool ok = x >= 0.437;
      if (t >= 100) failures += !ok;
      ms::learn(s, x, ok, 0.002);
      last = x;
    }
    EXPECT_NEAR(ms::next_offer(s, 0.02), 0.437, 0.02 + 1e-12) << start;
    EXPECT_GE(last, 0.437 - 0.02 - 1e-12);
    EXPECT_LE(failures, 300 / 10 + 1) << start;  // one failed probe per step / forget + 1 = 11 rounds
    EXPECT_GE(failures, 300 / 12) << start;      // and it keeps probing
  }
  EXPECT_THROW(ms::next_offer(ms::Staircase{}, -0.1), ms::Error);
  ms::Staircase s;
  EXPECT_THROW(ms::learn(s, 0.5, true, -1.0), ms::Error);
}
