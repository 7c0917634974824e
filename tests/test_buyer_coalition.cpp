// buyer_coalition: the collective Nash price and the seller's uniform price on hand-computed
// cases, the properties (none never forms; an unreachable threshold equals none;
// public with zero tolerance gives one price; surplus accounting from trade records every
// round), thread-count independence, and the direction of the main effect
// (docs/models/buyer_coalition.md lists which test checks what).
#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <fmt/format.h>

#include "analysis/statistics.hpp"
#include "scenarios/buyer_coalition/buyer_coalition.hpp"
#include "sim/error.hpp"
#include "sim/scenario.hpp"

namespace ms = marketsim;
namespace bc = marketsim::buyer_coalition;
using KV = std::vector<std::pair<std::string, std::string>>;

namespace {

const ms::ScenarioInfo& info() { return ms::Registry::instance().get("buyer_coalition"); }

ms::Params params(const KV& kv) {
  std::vector<ms::Assignment> a;
  for (const auto& [k, v] : kv) a.push_back({k, v, "test", true});
  return ms::resolve(info().schema, a, "buyer_coalition");
}

std::size_t scalar(const std::string& name) {
  for (std::size_t i = 0; i < info().scalars.size(); ++i)
    if (info().scalars[i].name == name) return i;
  throw ms::Error("no scalar " + name);
}

std::size_t series(const std::string& name) {
  for (std::size_t i = 0; i < info().series.size(); ++i)
    if (info().series[i].name == name) return i;
  throw ms::Error("no series " + name);
}

ms::RunResult run(const KV& kv, std::uint64_t seed) { return ms::run_scenario(info(), params(kv), seed); }

// Steps the model by hand and calls check(model, round) after every round.
template <class Check>
void each_round(const KV& kv, std::uint64_t seed, Check&& check) {
  const auto p = params(kv);
  ms::Run r(info(), p, seed, nullptr);
  ms::BuyerCoalition model(r);
  for (std::int64_t t = 1; t <= p.integer("rounds"); ++t) {
    model.step(t);
    check(model, t);
  }
}

const KV kSmall = {{"buyers", "3000"}, {"rounds", "12"}, {"threshold", "300"}};

KV with(KV kv, const KV& more) {
  kv.insert(kv.end(), more.begin(), more.end());
  return kv;
}

}  // namespace

TEST(BuyerCoalitionPrice, CollectiveNashClosedForm) {
  // min(v, f) = 0.9, 0.8, 0.6: mean 0.7667; P = 0.3 + 0.5 (0.7667 - 0.3) = 0.5333; all buy.
  const std::vector<double> v = {1.0, 0.8, 0.6}, f(3, 0.9);
  auto p = bc::collective_price(v, f, 0.3, 0.5);
  EXPECT_NEAR(p.price, 0.3 + 0.5 * ((0.9 + 0.8 + 0.6) / 3 - 0.3), 1e-12);
  EXPECT_EQ(p.buyers, 3u);
  EXPECT_DOUBLE_EQ(bc::collective_price(v, f, 0.3, 1.0).price, 0.3);            // all power: the cost
  // No power: P = 0.767 drops the 0.6 member, then P = 0.85 drops 0.8, then P = min(1, 0.9) = 0.9.
  p = bc::collective_price(v, f, 0.3, 0.0);
  EXPECT_NEAR(p.price, 0.9, 1e-12);
  EXPECT_EQ(p.buyers, 1u);
  // No fringe, no power: P = mean v = 0.675 > 0.35, so that member drops out and P = 1.
  const std::vector<double> w = {1.0, 0.35}, none(2, std::numeric_limits<double>::infinity());
  p = bc::collective_price(w, none, 0.3, 0.0);
  EXPECT_DOUBLE_EQ(p.price, 1.0);
  EXPECT_EQ(p.buyers, 1u);
  // Members' own fringe options (f + d_i): min(v, f_i) = 0.95, 0.8, 0.6 -> P = 0.3 + 0.5 (0.7833 - 0.3).
  const std::vector<double> own = {0.95, 1.2, 0.9};
  EXPECT_NEAR(bc::collective_price(v, own, 0.3, 0.5).price, 0.3 + 0.5 * ((0.95 + 0.8 + 0.6) / 3 - 0.3), 1e-12);
  const std::vector<double> poor = {0.1, 0.2};
  EXPECT_TRUE(std::isnan(bc::collective_price(poor, none, 0.3, 0.5).price));
  EXPECT_THROW(bc::collective_price(v, f, 0.3, 1.5), ms::Error);
  EXPECT_THROW(bc::collective_price(v, none, 0.3, 0.5), ms::Error);  // sizes differ
}

TEST(BuyerCoalitionPrice, UniformBasePriceHandCases) {
  const std::vector<double> thr = {0.5, 0.8, 1.0};
  const double inf = std::numeric_limits<double>::infinity();
  // tol 0: profits 3 x 0.2 = 0.6, 2 x 0.5 = 1.0, 0.7: P = 0.8.
  EXPECT_DOUBLE_EQ(bc::uniform_base_price(thr, 0.3, 0.0, inf), 0.8);
  // tol 0.2: 0.5 + 0.7 + 0.7 - 0.9 = 1.0; 0.8 + 1.0 - 0.6 = 1.2; 0.7: P = 0.8.
  EXPECT_DOUBLE_EQ(bc::uniform_base_price(thr, 0.3, 0.2, inf), 0.8);
  // Capped at 0.7 by a published price: thresholds 0.5, 0.7, 0.7; profits 0.6, 0.8: P = 0.7.
  EXPECT_DOUBLE_EQ(bc::uniform_base_price(thr, 0.3, 0.0, 0.7), 0.7);
  // Capped at 0.4: 3 x 0.1 at P = 0.4 beats 0.5 -> 0.4 clamped: the only candidate.
  EXPECT_DOUBLE_EQ(bc::uniform_base_price(thr, 0.3, 0.0, 0.4), 0.4);
  // Thresholds below cost are never served.
  const std::vector<double> low = {0.1, 0.2, 0.9};
  EXPECT_DOUBLE_EQ(bc::uniform_base_price(low, 0.3, 0.0, inf), 0.9);
}

TEST(BuyerCoalition, NoneNeverFormsAndPricesAreTheSellersOffers) {
  for (const char* rule : {"private", "public", "delayed"}) {
    const auto kv = with(kSmall, {{"coordination", "none"}, {"disclosure", rule}});
    std::int64_t sales = 0;
    each_round(kv, 7, [&](const ms::BuyerCoalition& m, std::int64_t) {
      EXPECT_FALSE(m.active());
      for (std::size_t i = 0; i < m.values().size(); ++i) {
        EXPECT_EQ(m.members()[i], 0);
        if (m.trades()[i] == ms::BuyerCoalition::Trade::seller) {
          ++sales;
          ASSERT_EQ(m.prices()[i], m.offers()[i]) << rule << " buyer " << i;
        }
      }
    });
    EXPECT_GT(sales, 0);
    const auto res = run(kv, 7);
    for (double x : res.series[series("coalition_size_t")])
      if (!std::isnan(x)) EXPECT_EQ(x, 0.0);
    EXPECT_EQ(res.scalars[scalar("activated")], 0.0);
  }
}

TEST(BuyerCoalition, UnreachableThresholdEqualsNone) {
  for (const char* rule : {"private", "group", "public", "delayed"}) {
    const auto base = with(kSmall, {{"disclosure", rule}});
    const auto pact = run(with(base, {{"coordination", "pact"}, {"threshold", "3001"}}), 11);
    const auto none = run(with(base, {{"coordination", "none"}}), 11);
    EXPECT_TRUE(pact == none) << rule;
    // And the pact does bind when the threshold is reachable (the test is not vacuous).
    EXPECT_EQ(run(with(base, {{"coordination", "pact"}}), 11).scalars[scalar("activated")], 1.0) << rule;
  }
}

TEST(BuyerCoalition, PublicZeroToleranceOnePriceFromRoundTwo) {
  for (const char* coord : {"none", "coalition", "pact"}) {
    const auto kv = with(kSmall, {{"disclosure", "public"}, {"tolerance", "0"}, {"coordination", coord}});
    bool any_member = false;
    each_round(kv, 5, [&](const ms::BuyerCoalition& m, std::int64_t t) {
      if (t < 2) return;
      double first = std::numeric_limits<double>::quiet_NaN();
      for (std::size_t i = 0; i < m.values().size(); ++i) {
        if (m.trades()[i] != ms::BuyerCoalition::Trade::seller) continue;
        any_member = any_member || m.members()[i];
        if (std::isnan(first)) first = m.prices()[i];
        ASSERT_EQ(m.prices()[i], first) << coord << " round " << t << " buyer " << i;
      }
      EXPECT_FALSE(std::isnan(first));
    });
    if (std::string(coord) != "none") EXPECT_TRUE(any_member) << coord;
  }
  // With tolerance, the seller discriminates within the band again: dispersion > 0.
  const auto res = run(with(kSmall, {{"disclosure", "public"}, {"tolerance", "0.1"}, {"coordination", "none"}}), 5);
  EXPECT_GT(res.scalars[scalar("price_dispersion")], 0.0);
}

TEST(BuyerCoalition, SurplusAccountingFromTradeRecordsEveryRound) {
  double fringe_sales = 0;
  for (const char* coord : {"none", "coalition", "pact"})
    for (const char* rule : {"private", "group", "public", "delayed"}) {
      const auto kv = with(kSmall, {{"coordination", coord}, {"disclosure", rule}, {"value_dist", "lognormal"}});
      each_round(kv, 3, [&](const ms::BuyerCoalition& m, std::int64_t t) {
        const auto& a = m.accounts();
        const double lhs = a.buyer_surplus + a.seller_profit + a.fringe_surplus + a.deadweight_loss + a.joining_costs;
        ASSERT_NEAR(lhs, a.max_surplus, 1e-9 * (1 + a.max_surplus)) << coord << " " << rule << " round " << t;
        // Seller profit recomputed from the trade records in the test.
        double profit = 0;
        for (std::size_t i = 0; i < m.values().size(); ++i)
          if (m.trades()[i] == ms::BuyerCoalition::Trade::seller) profit += m.prices()[i] - 0.3;
        ASSERT_NEAR(profit, a.seller_profit, 1e-9 * (1 + std::abs(profit)));
        EXPECT_GE(a.deadweight_loss, -1e-12);
        fringe_sales += a.fringe_surplus;
      });
    }
  EXPECT_GT(fringe_sales, 0.0);  // every term is exercised: some buyers do go to the fringe
}

TEST(BuyerCoalition, CoalitionPriceIsTheClosedForm) {
  each_round(with(kSmall, {{"coordination", "coalition"}}), 9, [&](const ms::BuyerCoalition& m, std::int64_t t) {
    ASSERT_TRUE(m.active());
    std::vector<double> v, f;
    for (std::size_t i = 0; i < m.values().size(); ++i)
      if (m.members()[i]) v.push_back(m.values()[i]), f.push_back(m.fringe_options()[i]);
    EXPECT_EQ(m.coalition_price(), bc::collective_price(v, f, 0.3, 0.5).price) << "round " << t;
  });
}

TEST(BuyerCoalition, SameOutputAtOneAndTwoThreads) {
  for (const char* rule : {"private", "group", "public"}) {
    const auto kv = with(kSmall, {{"buyers", "20000"}, {"threshold", "2000"}, {"rounds", "8"}, {"disclosure", rule}});
    ms::RunResult one, two;
    tbb::task_arena(1).execute([&] { one = run(kv, 21); });
    tbb::task_arena(2).execute([&] { two = run(kv, 21); });
    EXPECT_TRUE(one == two) << rule;
    EXPECT_EQ(one.scalars[scalar("activated")], 1.0) << rule;
    EXPECT_FALSE(one == run(kv, 22)) << rule;  // and a different seed differs
  }
}

TEST(BuyerCoalition, CoordinationRaisesBuyerSurplusAgainstStrongDataMining) {
  // Paired over seeds (the same buyers and network): coalition minus none.
  std::vector<double> gain;
  for (std::uint64_t s = 1; s <= 8; ++s) {
    const auto kv = with(kSmall, {{"seller_info_sd", "0.02"}});
    gain.push_back(run(with(kv, {{"coordination", "pact"}}), s).scalars[scalar("buyer_surplus")] -
                   run(with(kv, {{"coordination", "none"}}), s).scalars[scalar("buyer_surplus")]);
  }
  const auto sum = ms::analysis::summarize(gain);
  EXPECT_GT(sum.mean - sum.half_width, 0.0) << sum.mean << " +- " << sum.half_width;
}

TEST(BuyerCoalition, ParameterErrors) {
  EXPECT_THROW(params({{"fringe_price", "0.2"}}), ms::Error);  // below cost
  EXPECT_THROW(params({{"coordination", "cartel"}}), ms::Error);
  EXPECT_THROW(params({{"mean_degree", "3"}}), ms::Error);  // small world needs an even k
}
