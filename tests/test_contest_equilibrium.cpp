// The two-class first-price scoring-auction equilibrium (scenarios/hq_bidding/contest.hpp,
// TwoClassScoringEquilibrium): the closed form of Griesmer, Levitan and Shubik (1967) for two
// uniform bidders; identical classes (and one empty class) give the symmetric
// ScoringEquilibrium; the weak class bids more aggressively (Maskin and Riley 2000); every
// type's equilibrium score is a best response to the solved bids, and in simulated contests
// no shift of one bidder's score pays; where the weak class's top type stops below the
// common top (a free boundary) the strong class bids alone above it, every score is still a
// best response, and the solution joins the common-top one continuously; bad arguments throw.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "scenarios/hq_bidding/contest.hpp"
#include "sim/error.hpp"
#include "sim/random.hpp"

namespace ms = marketsim;
namespace mc = marketsim::contest;

namespace {

mc::BidderClass uniform(double low, double high, std::int64_t count) {
  return {[low, high](double x) { return std::clamp((x - low) / (high - low), 0.0, 1.0); }, low, high, count};
}

}  // namespace

TEST(TwoClassEquilibrium, GriesmerLevitanShubikClosedForm) {
  for (auto [w1, w2] : {std::pair{1.0, 2.0}, std::pair{1.0, 1.5}}) {
    mc::TwoClassScoringEquilibrium eq(uniform(0, w1, 1), uniform(0, w2, 1), 0);
    const double top = w1 * w2 / (w1 + w2);
    EXPECT_NEAR(eq.top_score(), top, 1e-4);
    const double k1 = 1 / (w1 * w1) - 1 / (w2 * w2), k2 = -k1;
    for (double t = 0.05 * top; t < top; t += 0.05 * top) {
      EXPECT_NEAR(eq.inverse(0, t), 2 * t / (1 + k1 * t * t), 1e-4) << "t = " << t;
      EXPECT_NEAR(eq.inverse(1, t), 2 * t / (1 + k2 * t * t), 1e-4) << "t = " << t;
    }
    EXPECT_LT(eq.accuracy(), 1e-4);
  }
}

TEST(TwoClassEquilibrium, IdenticalClassesGiveTheSymmetricEquilibrium) {
  // F(x) = x^2 on [0, 1] (first-price bid (2(n-1))/(2(n-1)+1) x without a reserve), with and
  // without a reserve; 3 + 2 bidders in two identical classes, and 5 in one class.
  auto square = [](double x) { return std::pow(std::clamp(x, 0.0, 1.0), 2); };
  for (double reserve : {0.0, 0.3}) {
    SCOPED_TRACE(reserve);
    const mc::ScoringEquilibrium symmetric(square, 0, 1, 5, reserve, 1024);  // the two-class default grid
    const mc::TwoClassScoringEquilibrium two({square, 0, 1, 3}, {square, 0, 1, 2}, reserve);
    const mc::TwoClassScoringEquilibrium one({square, 0, 1, 5}, {square, 0, 1, 0}, reserve);
    EXPECT_LT(two.accuracy(), 1e-5);
    for (double x = 0.01; x <= 1; x += 0.01) {
      if (std::pow(x * x, 4) < 1e-9) continue;  // no real chance to win: the bid never matters
      const double tol = symmetric.accuracy() + two.accuracy() + 1e-12;
      if (x < reserve) {
        EXPECT_EQ(two.score(0, x), ms::kNoBid);
        EXPECT_EQ(symmetric.score(x), ms::kNoBid);
        continue;
      }
      EXPECT_NEAR(two.score(0, x), symmetric.score(x), tol) << "x = " << x;
      EXPECT_NEAR(two.score(1, x), symmetric.score(x), tol) << "x = " << x;
      EXPECT_EQ(one.score(0, x), symmetric.score(x)) << "x = " << x;
    }
    if (reserve == 0) EXPECT_NEAR(two.top_score(), 8.0 / 9.0, 1e-6);  // (2 * 4) / (2 * 4 + 1)
    EXPECT_EQ(one.score(1, 0.5), ms::kNoBid);  // the empty class never bids
  }
}

TEST(TwoClassEquilibrium, WeakClassBidsMoreAggressively) {
  // Strong class F_s(x) = x^2, weak F_w(x) = x on [0, 1]: F_s / F_w = x rises (conditional
  // stochastic dominance), so at every type the weak bidder bids the higher score, and the
  // strong bidder still wins more often (Maskin and Riley 2000, Propositions 3.3 and 3.5).
  auto square = [](double x) { return std::pow(std::clamp(x, 0.0, 1.0), 2); };
  auto line = [](double x) { return std::clamp(x, 0.0, 1.0); };
  for (auto [strong, weak] : {std::pair<std::int64_t, std::int64_t>{1, 1}, {2, 3}}) {
    const mc::TwoClassScoringEquilibrium eq({square, 0, 1, strong}, {line, 0, 1, weak}, 0, 512);
    SCOPED_TRACE(strong * 10 + weak);
    for (int i = 1; i <= 9; ++i) {
      const double x = 0.1 * i;
      EXPECT_GT(eq.score(1, x), eq.score(0, x) + 1e-4) << "x = " << x;
      EXPECT_LT(eq.inverse(1, eq.score(0, x)), x) << "x = " << x;
    }
    EXPECT_NEAR(eq.inverse(0, eq.top_score()), 1, 1e-9);  // the common top score
    EXPECT_NEAR(eq.inverse(1, eq.top_score()), 1, 1e-9);
  }
}

TEST(TwoClassEquilibrium, EquilibriumScoreIsABestResponse) {
  // Against the solved bids of the others, (x - t) P_k(t) over a fine grid of scores t is
  // never above its value at t = score_k(x), for types across both classes: 2 bidders
  // uniform on [0, 1] and 3 uniform on [0.2, 1], reserve 0.3 (a common top type);
  // and one bidder of each, uniform on [0, 1] and on [0, 2], no reserve. Tolerance 2e-6, below
  // the payoff lost by shading the bid by 10% of its excess over the reserve.
  struct Case {
    mc::BidderClass first, second;
    double reserve;
  };
  for (const auto& c : {Case{uniform(0, 1, 2), uniform(0.2, 1, 3), 0.3}, Case{uniform(0, 1, 1), uniform(0, 2, 1), 0}}) {
    const mc::TwoClassScoringEquilibrium eq(c.first, c.second, c.reserve, 512);
    const double high[2] = {c.first.high, c.second.high};
    for (int k = 0; k < 2; ++k) {
      for (double x = c.reserve + 0.05; x <= high[k]; x += 0.05) {
        const double t_eq = eq.score(k, x);
        const double best = (x - t_eq) * eq.win_probability(k, t_eq);
        double alternative = 0;
        for (double t = c.reserve; t <= x; t += 1e-4)
          alternative = std::max(alternative, (x - t) * eq.win_probability(k, t));
        EXPECT_LE(alternative, best + 2e-6) << "class " << k << ", x = " << x;
        const double off = 0.9 * (t_eq - c.reserve) + c.reserve;  // the check has power
        if (x > c.reserve + 0.2)
          EXPECT_LT((x - off) * eq.win_probability(k, off), best - 2e-6) << "class " << k << ", x = " << x;
      }
    }
  }
}

// Monte Carlo, independent of the solver's own P_k: `contests` contests of bidders with types
// quantile_i(uniform draw) (class cls_i) bidding the solved scores, reserve r. Bidder
// `deviator` (the others unchanged, common draws) replaces its score t by each deviation(x, t);
// returns the mean payoff change of each and its standard error.
struct Gain {
  double mean, se;
};
using Deviation = std::function<double(double x, double t)>;
using Quantile = std::function<double(double u)>;
Quantile uniform_quantile(double low, double high) {
  return [low, high](double u) { return low + (high - low) * u; };
}
std::vector<Gain> simulated_gains(const mc::TwoClassScoringEquilibrium& eq, const std::vector<Quantile>& bidders,
                                  const std::vector<int>& cls, double reserve, std::size_t deviator,
                                  const std::vector<Deviation>& deviations, int contests = 100000) {
  std::vector<double> sum(deviations.size()), sum2(deviations.size());
  const std::size_t n = bidders.size();
  std::vector<double> x(n), t(n);
  for (int r = 0; r < contests; ++r) {
    for (std::size_t i = 0; i < n; ++i) {
      ms::Stream draw(7, 1, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(r));
      x[i] = bidders[i](draw.uniform01());
      t[i] = eq.score(cls[i], x[i]);
    }
    double rival = ms::kNoBid;
    for (std::size_t j = 0; j < n; ++j)
      if (j != deviator) rival = std::max(rival, t[j]);
    const double xi = x[deviator];
    auto payoff = [&](double score) { return score >= reserve && score > rival ? xi - score : 0.0; };
    for (std::size_t d = 0; d < deviations.size(); ++d) {
      const double gain =
          t[deviator] == ms::kNoBid ? 0.0 : payoff(deviations[d](xi, t[deviator])) - payoff(t[deviator]);
      sum[d] += gain;
      sum2[d] += gain * gain;
    }
  }
  std::vector<Gain> gains;
  for (std::size_t d = 0; d < deviations.size(); ++d) {
    const double mean = sum[d] / contests;
    gains.push_back({mean, std::sqrt((sum2[d] / contests - mean * mean) / contests)});
  }
  return gains;
}

std::vector<Deviation> shifts(const std::vector<double>& by) {
  std::vector<Deviation> out;
  for (double shift : by) out.push_back([shift](double, double t) { return t + shift; });
  return out;
}

TEST(TwoClassEquilibrium, SimulatedDeviationsDoNotPay) {
  // 10^5 contests of 2 bidders uniform on [0, 1] and 3 uniform on [0.2, 1] (reserve 0.3); a
  // bidder of either class that shifts its score by +-0.01 or +-0.05 given its type does not
  // gain: the mean payoff change is below 2 standard errors, and the larger shifts lose by
  // more than 3.
  const mc::TwoClassScoringEquilibrium eq(uniform(0, 1, 2), uniform(0.2, 1, 3), 0.3, 512);
  const std::vector<Quantile> bidders{uniform_quantile(0, 1), uniform_quantile(0, 1), uniform_quantile(0.2, 1),
                                      uniform_quantile(0.2, 1), uniform_quantile(0.2, 1)};
  const std::vector<int> cls{0, 0, 1, 1, 1};
  const std::vector<double> by{-0.05, -0.01, 0.01, 0.05};
  for (std::size_t deviator : {0, 2}) {
    const auto gains = simulated_gains(eq, bidders, cls, 0.3, deviator, shifts(by));
    for (std::size_t s = 0; s < by.size(); ++s) {
      SCOPED_TRACE(testing::Message() << "bidder " << deviator << ", shift " << by[s]);
      EXPECT_LT(gains[s].mean, 2 * gains[s].se);
      if (std::abs(by[s]) > 0.02) EXPECT_LT(gains[s].mean, -3 * gains[s].se);
    }
  }
}

// The free boundary: n_w weak bidders uniform on [0, 0.5] against 3 strong ones uniform on
// [0, 1], no reserve.
TEST(TwoClassEquilibrium, FreeBoundaryWhereTheWeakClassStopsBelowTheTop) {
  // Above the weak class's top score t_w only the strong bidders compete: their bid solves the
  // symmetric first-price ODE with t(1) = tbar, t(x) = 2x/3 + (tbar - 2/3) / x^2 (uniform, 3
  // bidders); the weak top type's first-order condition holds at t_w: 3 (0.5 - t_w) = 2
  // (phi_s(t_w) - t_w); and the chance to win above t_w is the strong bidders' alone.
  for (std::int64_t weak : {1, 2}) {
    SCOPED_TRACE(weak);
    const mc::TwoClassScoringEquilibrium eq(uniform(0, 0.5, weak), uniform(0, 1, 3), 0, 512);
    const double top = eq.top_score(), tw = eq.top_score(0);
    EXPECT_EQ(eq.top_score(1), top);
    EXPECT_LT(tw, top - 0.1);
    EXPECT_LT(tw, 0.5);
    EXPECT_NEAR(eq.score(0, 0.5), tw, 1e-12);
    EXPECT_NEAR(3 * (0.5 - tw), 2 * (eq.inverse(1, tw) - tw), 1e-4);
    for (double x = eq.inverse(1, tw) + 0.01; x <= 1; x += 0.01) {
      EXPECT_NEAR(eq.score(1, x), 2 * x / 3 + (top - 2.0 / 3) / (x * x), 1e-5) << "x = " << x;
      const double t = eq.score(1, x);
      EXPECT_NEAR(eq.win_probability(0, t), std::pow(x, 3), 1e-4) << "x = " << x;
      EXPECT_NEAR(eq.win_probability(1, t), std::pow(x, 2), 1e-4) << "x = " << x;
    }
    EXPECT_EQ(eq.inverse(0, 0.5 * (tw + top)), 0.5);
    EXPECT_LT(eq.accuracy(), 1e-4);
  }
}

TEST(TwoClassEquilibrium, FreeBoundaryScoresAreBestResponses) {
  // Every type's score beats every alternative on a fine grid against the solved bids (as in
  // EquilibriumScoreIsABestResponse), the weak top types' upward alternatives into (t_w,
  // tbar] included; and in simulated contests no shift of a weak or strong bidder's score,
  // and no jump of a weak bidder near its top (x > 0.45) to t_w + 0.01, 0.03, 0.06, pays.
  for (std::int64_t weak : {1, 2}) {
    SCOPED_TRACE(weak);
    const mc::TwoClassScoringEquilibrium eq(uniform(0, 0.5, weak), uniform(0, 1, 3), 0, 512);
    const double high[2] = {0.5, 1}, tw = eq.top_score(0);
    for (int k = 0; k < 2; ++k)
      for (double x = 0.05; x <= high[k] + 1e-9; x += 0.025) {
        const double t_eq = eq.score(k, x), best = (x - t_eq) * eq.win_probability(k, t_eq);
        double alternative = 0;
        for (double t = 0; t <= std::min(x, eq.top_score()); t += 1e-4)
          alternative = std::max(alternative, (x - t) * eq.win_probability(k, t));
        EXPECT_LE(alternative, best + 2e-6) << "class " << k << ", x = " << x;
        if (k == 0 && x > tw + 0.02)
          for (double t = tw + 0.01; t < x; t += 0.01)  // the region only the strong class bids in
            EXPECT_LT((x - t) * eq.win_probability(0, t), best) << "x = " << x << ", t = " << t;
      }
    std::vector<Quantile> bidders(static_cast<std::size_t>(weak), uniform_quantile(0, 0.5));
    std::vector<int> cls(static_cast<std::size_t>(weak), 0);
    for (int i = 0; i < 3; ++i) {
      bidders.push_back(uniform_quantile(0, 1));
      cls.push_back(1);
    }
    // Bidder 0 (weak): four shifts, then three jumps near its top; the last bidder (strong): shifts.
    const std::vector<double> by{-0.05, -0.01, 0.01, 0.05}, jumps{0.01, 0.03, 0.06};
    auto weak_deviations = shifts(by);
    for (double jump : jumps) weak_deviations.push_back([tw, jump](double x, double t) { return x > 0.45 ? tw + jump : t; });
    const auto weak_gains = simulated_gains(eq, bidders, cls, 0, 0, weak_deviations);
    const auto strong_gains = simulated_gains(eq, bidders, cls, 0, bidders.size() - 1, shifts(by));
    for (std::size_t s = 0; s < by.size(); ++s) {
      SCOPED_TRACE(testing::Message() << "shift " << by[s]);
      for (const auto& g : {weak_gains[s], strong_gains[s]}) {
        EXPECT_LT(g.mean, 2 * g.se);
        if (std::abs(by[s]) > 0.02) EXPECT_LT(g.mean, -3 * g.se);
      }
    }
    for (std::size_t j = 0; j < jumps.size(); ++j) {
      SCOPED_TRACE(testing::Message() << "jump to t_w + " << jumps[j]);
      const auto& g = weak_gains[by.size() + j];
      EXPECT_LT(g.mean, 2 * g.se);
      if (jumps[j] > 0.02) EXPECT_LT(g.mean, -3 * g.se);
    }
  }
}

TEST(TwoClassEquilibrium, FreeBoundaryWithAThinWeakTail) {
  // 2 weak bidders with types N(0.3, 0.05^2) truncated to [0, 0.6] (a Gaussian tail, as
  // hq_bidding's laws: below t_w the weak class's inverse bid sweeps the thin tail, solved in
  // quasi-steady state) against 3 uniform on [0, 1]: t_w and the scores agree between grids
  // (the free-boundary check must not fire again inside the tail: it moved t_w by 0.03), and
  // in 10^5 simulated contests no shift of a weak or strong bidder's score, and no jump of a
  // weak type above its 0.999 quantile to t_w + 0.01, 0.03, pays.
  auto normal = [](double x) { return 0.5 * std::erfc(-(x - 0.3) / (0.05 * std::sqrt(2.0))); };
  const double lo = normal(0), hi = normal(0.6);
  const mc::BidderClass weak{[=](double x) { return std::clamp((normal(x) - lo) / (hi - lo), 0.0, 1.0); }, 0, 0.6, 2};
  const mc::TwoClassScoringEquilibrium coarse(weak, uniform(0, 1, 3), 0, 256), eq(weak, uniform(0, 1, 3), 0, 512);
  const double tw = eq.top_score(0);
  EXPECT_LT(tw, eq.top_score() - 0.1);
  EXPECT_NEAR(coarse.top_score(0), tw, 1e-3);
  EXPECT_LT(eq.accuracy(), 1e-3);
  for (double x = 0.2; x < 0.5; x += 0.02) EXPECT_NEAR(coarse.score(0, x), eq.score(0, x), 1e-3) << "x = " << x;
  // Inverse cdf of the truncated normal by bisection (only for the draws).
  const Quantile weak_quantile = [&](double u) {
    double a = 0, b = 0.6;
    for (int i = 0; i < 60; ++i) (weak.cdf(0.5 * (a + b)) < u ? a : b) = 0.5 * (a + b);
    return 0.5 * (a + b);
  };
  const double top_types = weak_quantile(0.999);
  const std::vector<Quantile> bidders{weak_quantile, weak_quantile, uniform_quantile(0, 1), uniform_quantile(0, 1),
                                      uniform_quantile(0, 1)};
  const std::vector<int> cls{0, 0, 1, 1, 1};
  const std::vector<double> by{-0.05, -0.01, 0.01, 0.05}, jumps{0.01, 0.03};
  auto weak_deviations = shifts(by);
  for (double jump : jumps)
    weak_deviations.push_back([=](double x, double t) { return x > top_types ? tw + jump : t; });
  const auto weak_gains = simulated_gains(eq, bidders, cls, 0, 0, weak_deviations, 50000);
  const auto strong_gains = simulated_gains(eq, bidders, cls, 0, 4, shifts(by), 50000);
  for (std::size_t s = 0; s < by.size(); ++s) {
    SCOPED_TRACE(testing::Message() << "shift " << by[s]);
    for (const auto& g : {weak_gains[s], strong_gains[s]}) {
      EXPECT_LT(g.mean, 2 * g.se);
      if (std::abs(by[s]) > 0.02) EXPECT_LT(g.mean, -3 * g.se);
    }
  }
  for (std::size_t j = 0; j < jumps.size(); ++j) EXPECT_LE(weak_gains[by.size() + j].mean, 0) << "jump " << jumps[j];
}

TEST(TwoClassEquilibrium, FreeBoundaryJoinsTheCommonTopContinuously) {
  // One weak bidder uniform on [0, h] against 3 uniform on [0, 1]: the common top applies iff
  // 3 (h - tbar) >= 2 (1 - tbar), i.e. from h* ~ 0.911 up. As h rises to h* the gap tbar - t_w
  // closes; as h rises to 1 every score approaches the symmetric 4-bidder bid 3x/4.
  double last_gap = 1;
  for (double h : {0.5, 0.7, 0.85, 0.9, 0.91}) {
    const mc::TwoClassScoringEquilibrium eq(uniform(0, h, 1), uniform(0, 1, 3), 0, 256);
    const double gap = eq.top_score() - eq.top_score(0);
    EXPECT_GT(gap, 0) << "h = " << h;
    EXPECT_LT(gap, last_gap) << "h = " << h;
    last_gap = gap;
  }
  EXPECT_LT(last_gap, 1e-3);
  const mc::TwoClassScoringEquilibrium past(uniform(0, 0.92, 1), uniform(0, 1, 3), 0, 256);
  EXPECT_EQ(past.top_score(0), past.top_score());
  double last_error = 1;
  for (double h : {0.5, 0.9, 0.99, 0.999}) {
    const mc::TwoClassScoringEquilibrium eq(uniform(0, h, 1), uniform(0, 1, 3), 0, 256);
    double error = 0;
    for (double x = 0.02; x <= 1; x += 0.02) {
      error = std::max(error, std::abs(eq.score(1, x) - 0.75 * x));
      if (x <= h) error = std::max(error, std::abs(eq.score(0, x) - 0.75 * x));
    }
    EXPECT_LT(error, last_error) << "h = " << h;
    last_error = error;
  }
  EXPECT_LT(last_error, 1e-3);
}

TEST(TwoClassEquilibrium, BadArgumentsThrow) {
  EXPECT_THROW(mc::TwoClassScoringEquilibrium(uniform(0, 1, 0), uniform(0, 1, 0), 0), ms::Error);
  EXPECT_THROW(mc::TwoClassScoringEquilibrium(uniform(0, 1, -1), uniform(0, 1, 2), 0), ms::Error);
  EXPECT_THROW(mc::TwoClassScoringEquilibrium(uniform(1, 0, 1), uniform(0, 1, 2), 0), ms::Error);
  EXPECT_THROW(mc::TwoClassScoringEquilibrium(uniform(0, 1, 1), uniform(0, 1, 2), NAN), ms::Error);
  EXPECT_THROW(mc::TwoClassScoringEquilibrium(uniform(0, 1, 1), uniform(0, 1, 2), 0, 4), ms::Error);
  EXPECT_THROW(mc::TwoClassScoringEquilibrium({nullptr, 0, 1, 1}, uniform(0, 1, 2), 0), ms::Error);
  const mc::TwoClassScoringEquilibrium eq(uniform(0, 1, 1), uniform(0, 1, 1), 0, 64);
  EXPECT_THROW(eq.score(2, 0.5), ms::Error);
  // A reserve above one class's top: only the other class competes (its symmetric bid).
  const mc::TwoClassScoringEquilibrium high(uniform(0, 1, 2), uniform(0, 3, 2), 1.5, 256);
  EXPECT_EQ(high.score(0, 0.9), ms::kNoBid);
  // Uniform on [0, 3], 2 bidders, r = 1.5: t(x) = (x^2 + r^2) / (2x).
  EXPECT_NEAR(high.score(1, 3), (9 + 1.5 * 1.5) / 6, 1e-3);
}
