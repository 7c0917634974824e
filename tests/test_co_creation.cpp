// co_creation: the choice rule on hand-built cases, the fairness rules of the comparison,
// null results (no mechanism, no advantage), accounting identities and reproducibility
// (docs/models/co_creation.md lists which test checks what).
#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "analysis/statistics.hpp"
#include "scenarios/co_creation/co_creation.hpp"
#include "sim/error.hpp"
#include "sim/scenario.hpp"

namespace ms = marketsim;
namespace cc = marketsim::co_creation;

namespace {

ms::Params params(const std::vector<std::pair<std::string, std::string>>& kv) {
  const auto& info = ms::Registry::instance().get("co_creation");
  std::vector<ms::Assignment> a;
  for (const auto& [k, v] : kv) a.push_back({k, v, "test", true});
  return ms::resolve(info.schema, a, "co_creation");
}

std::size_t scalar_index(const std::string& name) {
  const auto& s = ms::Registry::instance().get("co_creation").scalars;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i].name == name) return i;
  throw ms::Error("no scalar " + name);
}

std::size_t series_index(const std::string& name) {
  const auto& s = ms::Registry::instance().get("co_creation").series;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i].name == name) return i;
  throw ms::Error("no series " + name);
}

ms::RunResult run(const std::vector<std::pair<std::string, std::string>>& kv, std::uint64_t seed) {
  return ms::run_scenario(ms::Registry::instance().get("co_creation"), params(kv), seed);
}

// Replication summary of one scalar over seeds 1..reps.
ms::analysis::Summary over_seeds(const std::vector<std::pair<std::string, std::string>>& kv, const std::string& scalar,
                                 int reps) {
  std::vector<double> v;
  for (int s = 1; s <= reps; ++s) v.push_back(run(kv, static_cast<std::uint64_t>(s)).scalars[scalar_index(scalar)]);
  return ms::analysis::summarize(v);
}

cc::Menu menu_of(std::vector<std::int32_t> firm, std::vector<double> price, std::vector<double> loc, std::size_t dims) {
  cc::Menu m;
  m.dims = dims;
  m.firm = std::move(firm);
  m.price = std::move(price);
  m.location = std::move(loc);
  return m;
}

}  // namespace

TEST(CoCreationChoice, HandBuiltCases) {
  // Two products on a line at 0 and 1, one consumer at 0.4: distances^2 0.16 and 0.36.
  auto m = menu_of({0, 1}, {0.3, 0.1}, {0.0, 1.0}, 1);
  cc::Chooser terms{1.0, 0.0, 0.0};
  std::vector<double> u(2);
  const std::vector<double> x = {0.4};
  const double nearest = cc::net_utilities(x, m, terms, -1, -1, u);
  EXPECT_DOUBLE_EQ(nearest, 0.16);
  EXPECT_DOUBLE_EQ(u[0], 1.0 - 0.16 - 0.3);  // 0.54
  EXPECT_DOUBLE_EQ(u[1], 1.0 - 0.36 - 0.1);  // 0.54 too: a tie
  ms::Stream tie(1, 99);
  // Last bought from firm 1: switching to firm 0 costs loyalty 0.05, so firm 1 wins.
  terms.loyalty = 0.05;
  cc::net_utilities(x, m, terms, 1, -1, u);
  EXPECT_DOUBLE_EQ(u[0], 0.54 - 0.05);
  EXPECT_EQ(cc::choose(u, tie), 1);
  // A participation bonus at firm 0 larger than the switching cost flips it back.
  terms.bonus = 0.06;
  cc::net_utilities(x, m, terms, 1, 0, u);
  EXPECT_EQ(cc::choose(u, tie), 0);
  // Quality below every price and distance: the outside option (-1).
  terms = {0.2, 0.0, 0.0};
  cc::net_utilities(x, m, terms, -1, -1, u);
  EXPECT_LT(u[0], 0);
  EXPECT_LT(u[1], 0);
  EXPECT_EQ(cc::choose(u, tie), -1);
  // The chosen offer is always the argmax of net utility when it is unique.
  std::vector<double> w = {0.1, 0.7, -0.2, 0.69};
  EXPECT_EQ(cc::choose(w, tie), 1);
  EXPECT_THROW(cc::net_utilities(std::vector<double>{0.0, 0.0}, m, terms, -1, -1, u), ms::Error);
}

TEST(CoCreationChoice, TiesAreBrokenAtRandomNotByPosition) {
  // Three offers tied at the top (and one below): each is picked about 1/3 of the time,
  // whatever its position; a tie with the outside option (utility 0) includes it.
  const std::vector<double> u = {0.5, 0.2, 0.5, 0.5};
  std::array<int, 4> count{};
  const int draws = 30000;
  for (int k = 0; k < draws; ++k) {
    ms::Stream tie(7, 5, static_cast<std::uint32_t>(k));
    ++count[static_cast<std::size_t>(cc::choose(u, tie))];
  }
  EXPECT_EQ(count[1], 0);
  for (int p : {0, 2, 3}) EXPECT_NEAR(count[static_cast<std::size_t>(p)] / double(draws), 1.0 / 3, 0.015);
  const std::vector<double> zero = {0.0, -1.0};
  int outside = 0;
  for (int k = 0; k < 10000; ++k) {
    ms::Stream tie(7, 6, static_cast<std::uint32_t>(k));
    outside += cc::choose(zero, tie) == -1;
  }
  EXPECT_NEAR(outside / 10000.0, 0.5, 0.02);
}

TEST(CoCreationResearch, SamplesTheWholeMarketUniformly) {
  // Market research draws from all consumers alike: every tenth of the index range gets
  // a tenth of the draws (chi-square, 9 degrees of freedom, 99.9% point 27.9).
  ms::Stream s(3, 4, 0, 1);
  const std::uint32_t n = 1000, k = 100000;
  const auto sample = cc::sample_market(s, n, k);
  std::array<double, 10> bins{};
  for (auto i : sample) {
    ASSERT_LT(i, n);
    bins[i / 100] += 1;
  }
  double chi2 = 0;
  for (double b : bins) chi2 += (b - k / 10.0) * (b - k / 10.0) / (k / 10.0);
  EXPECT_LT(chi2, 27.9);
  EXPECT_THROW(cc::sample_market(s, 0, 5), ms::Error);
}

TEST(CoCreationAggregation, MeanMedianAndClusters) {
  const std::vector<double> pts = {0, 0, 1, 0, 10, 0};  // three points in 2-D
  std::vector<double> d(2);
  cc::aggregate(cc::Aggregation::Mean, 2, pts, std::vector<double>{1, 1, 2}, d);
  EXPECT_DOUBLE_EQ(d[0], 21.0 / 4);
  EXPECT_DOUBLE_EQ(d[1], 0.0);
  cc::aggregate(cc::Aggregation::Median, 2, pts, std::vector<double>{1, 1, 1}, d);
  EXPECT_DOUBLE_EQ(d[0], 1.0);  // the outlier at 10 does not move the median
  // Two clusters from starts (0,0) and (5,0): {0, 1} and {10}.
  std::vector<double> two = {0, 0, 5, 0};
  cc::aggregate(cc::Aggregation::Clusters, 2, pts, std::vector<double>{1, 1, 1}, two);
  EXPECT_DOUBLE_EQ(two[0], 0.5);
  EXPECT_DOUBLE_EQ(two[2], 10.0);
  // No data: designs unchanged; bad weights: an error.
  std::vector<double> keep = {3, 4};
  cc::aggregate(cc::Aggregation::Mean, 2, {}, {}, keep);
  EXPECT_EQ(keep, (std::vector<double>{3, 4}));
  EXPECT_THROW(cc::aggregate(cc::Aggregation::Mean, 2, pts, std::vector<double>{1, 0, 1}, d), ms::Error);
}

TEST(CoCreationFairness, SameVariantsSameFixedCostForBothTypes) {
  // Nobody buys (quality 0 < price): each firm's profit is minus its fixed cost, which is
  // variants * variant_cost for both types, plus co_creation_cost for co-creative firms.
  auto r = run({{"quality", "0"}, {"variants", "4"}, {"variant_cost", "0.01"}, {"co_creation_cost", "0.003"},
                {"rounds", "5"}, {"consumers", "2000"}},
               1);
  EXPECT_DOUBLE_EQ(r.scalars[scalar_index("share_outside")], 1.0);
  EXPECT_NEAR(r.scalars[scalar_index("profit_topdown")], -0.04, 1e-12);
  EXPECT_NEAR(r.scalars[scalar_index("profit_cocreative")], -0.043, 1e-12);
  // And every firm of either type offers `variants` products.
  auto p = params({{"variants", "4"}, {"consumers", "2000"}});
  ms::Run context(ms::Registry::instance().get("co_creation"), p, 1, nullptr);
  ms::CoCreation model(context);
  for (std::int64_t t = 1; t <= 3; ++t) model.step(t);
  std::vector<int> per_firm(model.firms(), 0);
  for (auto f : model.menu().firm) ++per_firm[static_cast<std::size_t>(f)];
  for (std::size_t f = 0; f < model.firms(); ++f) {
    EXPECT_EQ(per_firm[f], 4) << f;
    EXPECT_DOUBLE_EQ(model.fixed_cost(f), 4 * 0.005 + (model.co_creative(f) ? 0.002 : 0.0));
  }
}

TEST(CoCreationNull, NoMechanismNoAdvantage) {
  // One niche, no drift, exact research, no bonus, no co-creation cost: co-creation has
  // nothing to add. Top-down fit is at least as good and co-creative firms do not
  // out-earn top-down firms (mean gap over 12 replications not significantly > 0).
  const std::vector<std::pair<std::string, std::string>> kv = {
      {"niches", "1"}, {"drift", "0"}, {"research_noise", "0"}, {"participation_bonus", "0"},
      {"co_creation_cost", "0"}, {"consumers", "3000"}, {"rounds", "30"}};
  auto fit_td = over_seeds(kv, "distance_topdown", 12);
  auto fit_cc = over_seeds(kv, "distance_cocreative", 12);
  EXPECT_LE(fit_td.mean, fit_cc.mean + fit_cc.half_width);
  auto gap = over_seeds(kv, "profit_gap", 12);
  EXPECT_LE(gap.mean - gap.half_width, 0.0) << "gap " << gap.mean << " +- " << gap.half_width;
}

TEST(CoCreationNull, WithoutParticipationCoCreationLearnsNothing) {
  // participation = 0: a co-creative firm keeps its launch design forever...
  auto p = params({{"participation", "0"}, {"consumers", "2000"}, {"drift", "0.05"}});
  ms::Run context(ms::Registry::instance().get("co_creation"), p, 3, nullptr);
  ms::CoCreation model(context);
  model.step(1);
  const auto launch = model.design(0);
  ASSERT_TRUE(model.co_creative(0));
  for (std::int64_t t = 2; t <= 25; ++t) model.step(t);
  EXPECT_EQ(model.design(0), launch);
  // ...and never beats a top-down firm of equal research quality: with drift it loses in
  // every replication; without drift (and no cost) it does not win on average.
  const std::vector<std::pair<std::string, std::string>> drifting = {
      {"participation", "0"}, {"drift", "0.05"}, {"co_creation_cost", "0"}, {"consumers", "2000"}, {"rounds", "40"}};
  for (int s = 1; s <= 6; ++s) EXPECT_LT(run(drifting, static_cast<std::uint64_t>(s)).scalars[scalar_index("profit_gap")], 0.0) << s;
  auto still = over_seeds({{"participation", "0"}, {"drift", "0"}, {"co_creation_cost", "0"}, {"consumers", "2000"},
                           {"rounds", "30"}},
                          "profit_gap", 12);
  EXPECT_LE(still.mean - still.half_width, 0.0);
}

TEST(CoCreationAccounting, SharesSumToOneEachRound) {
  // Shares are over all consumers, the outside option included.
  auto r = run({{"consumers", "5000"}, {"rounds", "20"}, {"pricing", "hill_climb"}}, 5);
  const auto& a = r.series[series_index("share_cocreative_t")];
  const auto& b = r.series[series_index("share_topdown_t")];
  const auto& c = r.series[series_index("share_outside_t")];
  EXPECT_TRUE(std::isnan(a[0]));
  for (std::size_t k = 1; k < a.size(); ++k) EXPECT_NEAR(a[k] + b[k] + c[k], 1.0, 1e-12) << k;
}

TEST(CoCreationReproducibility, SameSeedSameOutputAtAnyThreadCount) {
  const std::vector<std::pair<std::string, std::string>> kv = {
      {"consumers", "20000"}, {"rounds", "8"}, {"disclosure", "public"}, {"pricing", "hill_climb"}};
  ms::RunResult one, two;
  tbb::task_arena(1).execute([&] { one = run(kv, 9); });
  tbb::task_arena(2).execute([&] { two = run(kv, 9); });
  EXPECT_TRUE(one == two);
  EXPECT_TRUE(run(kv, 9) == two);
  EXPECT_FALSE(run(kv, 10) == two);
}
