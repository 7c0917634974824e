// zi_double_auction against Gode and Sunder's (1993) results and the market's own
// accounting (docs/models/zi_double_auction.md). Averages run over 100 replications of
// 6 periods, so the statistical error is well below each tolerance.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <set>

#include "scenarios/zi_double_auction/zi_double_auction.hpp"
#include "sim/error.hpp"

namespace ms = marketsim;
using ms::markets::Side;

namespace {

const ms::ScenarioInfo& info() { return ms::Registry::instance().get("zi_double_auction"); }

ms::Params params(const std::vector<std::pair<std::string, std::string>>& set) {
  std::vector<ms::Assignment> a;
  for (const auto& [k, v] : set) a.push_back({k, v, "test", true});
  return ms::resolve(info().schema, a, "zi_double_auction");
}

std::size_t scalar_index(const std::string& name) {
  for (std::size_t i = 0; i < info().scalars.size(); ++i)
    if (info().scalars[i].name == name) return i;
  throw std::runtime_error("no scalar " + name);
}

// Mean of scalar outputs over replications (seeds 1..n).
struct Means {
  double efficiency = 0, mean_price = 0, price_rmsd = 0, trades = 0, min_efficiency = 1e9, max_efficiency = -1e9;
};
Means replicate(const std::vector<std::pair<std::string, std::string>>& set, int n = 100) {
  const auto p = params(set);
  Means m;
  for (int seed = 1; seed <= n; ++seed) {
    const auto r = ms::run_scenario(info(), p, static_cast<std::uint64_t>(seed));
    const double e = r.scalars[scalar_index("efficiency")];
    m.efficiency += e / n;
    m.min_efficiency = std::min(m.min_efficiency, e);
    m.max_efficiency = std::max(m.max_efficiency, e);
    m.mean_price += r.scalars[scalar_index("mean_price")] / n;
    m.price_rmsd += r.scalars[scalar_index("price_rmsd")] / n;
    m.trades += r.scalars[scalar_index("trades_per_period")] / n;
  }
  return m;
}

std::string error_of(const std::vector<std::pair<std::string, std::string>>& set) {
  try {
    params(set);
  } catch (const ms::Error& e) {
    return e.what();
  }
  return "";
}

// Bit-for-bit equality (NaN padding compares equal to itself).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}
bool same_bits(const ms::RunResult& a, const ms::RunResult& b) {
  if (!same_bits(a.scalars, b.scalars) || a.series.size() != b.series.size() || a.vectors.size() != b.vectors.size()) return false;
  for (std::size_t i = 0; i < a.series.size(); ++i)
    if (!same_bits(a.series[i], b.series[i])) return false;
  for (std::size_t i = 0; i < a.vectors.size(); ++i)
    if (!same_bits(a.vectors[i], b.vectors[i])) return false;
  return true;
}

// The default market (docs): CE price 100.5, 12 units, maximum surplus 652; trading all
// 18 units on each side realises sum(v) - sum(c) = 532.
constexpr double kCePrice = 100.5, kMaxSurplus = 652, kAllUnitsSurplus = 532;

}  // namespace

TEST(ZiDoubleAuction, CompetitiveEquilibriumOfTheDefaultMarket) {
  const auto r = ms::run_scenario(info(), params({{"rounds", "1"}}), 1);
  EXPECT_EQ(r.scalars[scalar_index("ce_price")], kCePrice);
  EXPECT_EQ(r.scalars[scalar_index("ce_quantity")], 12.0);
  EXPECT_EQ(r.scalars[scalar_index("max_surplus")], kMaxSurplus);
}

// Gode and Sunder: ZI-C markets are 97-99% efficient. Here 0.991 (sd of a run about 0.004).
TEST(ZiDoubleAuction, ZiCIsAlmostFullyEfficientUnderGodeSunderRules) {
  const auto m = replicate({{"trader", "zi_c"}});
  EXPECT_GT(m.efficiency, 0.98);
  EXPECT_LE(m.max_efficiency, 1.0);  // no set of trades realises more than the maximum
  // About the competitive quantity trades (a few extra-marginal trades, a few missed).
  EXPECT_NEAR(m.trades, 12.0, 0.5);
}

// ZI-U traders ignore their values, so with enough order arrivals every unit trades and
// the surplus is sum(v) - sum(c) whatever the prices: efficiency 532/652 = 0.816 exactly.
TEST(ZiDoubleAuction, ZiUTradesEveryUnitAndLosesTheExtraMarginalSurplus) {
  for (const char* rules : {"gode_sunder", "price_time"}) {
    SCOPED_TRACE(rules);
    const auto m = replicate({{"trader", "zi_u"}, {"rules", rules}}, 20);
    EXPECT_DOUBLE_EQ(m.min_efficiency, kAllUnitsSurplus / kMaxSurplus);
    EXPECT_DOUBLE_EQ(m.max_efficiency, kAllUnitsSurplus / kMaxSurplus);
    EXPECT_DOUBLE_EQ(m.trades, 18.0);
  }
  const auto zi_c = replicate({{"trader", "zi_c"}}), zi_u = replicate({{"trader", "zi_u"}});
  EXPECT_GT(zi_c.efficiency - zi_u.efficiency, 0.15);
}

// In this symmetric market ZI-C prices centre on the CE price (mean within ~0.3 here);
// ZI-U prices scatter three times wider around it.
TEST(ZiDoubleAuction, ZiCPricesAreNearTheCompetitivePrice) {
  const auto zi_c = replicate({{"trader", "zi_c"}}), zi_u = replicate({{"trader", "zi_u"}});
  EXPECT_NEAR(zi_c.mean_price, kCePrice, 1.5);
  EXPECT_LT(zi_c.price_rmsd, 22.0);
  EXPECT_GT(zi_u.price_rmsd, 2 * zi_c.price_rmsd);
}

TEST(ZiDoubleAuction, AFullPriceTimeBookIsAlsoEfficientWithZiC) {
  const auto m = replicate({{"trader", "zi_c"}, {"rules", "price_time"}});
  EXPECT_GT(m.efficiency, 0.97);
  EXPECT_LE(m.max_efficiency, 1.0);
  EXPECT_NEAR(m.mean_price, kCePrice, 1.5);
}

// Too few order arrivals leave gains from trade unrealised.
TEST(ZiDoubleAuction, EfficiencyRisesWithThePeriodLength) {
  double previous = 0;
  for (const char* length : {"50", "200", "1000"}) {
    SCOPED_TRACE(length);
    const auto m = replicate({{"period_length", length}}, 40);
    EXPECT_GT(m.efficiency, previous + 0.02);
    previous = m.efficiency;
  }
}

// Every trade in every period, read from the model: no unit is traded twice, each
// trader's units go in schedule order, the records match the schedules, and ZI-C traders
// never trade at a loss (ZI-U traders do).
TEST(ZiDoubleAuction, TradeRecordsConserveUnitsAndRespectBudgets) {
  for (const char* trader : {"zi_c", "zi_u"}) {
    for (const char* rules : {"gode_sunder", "price_time"}) {
      SCOPED_TRACE(fmt::format("{} {}", trader, rules));
      const auto p = params({{"trader", trader}, {"rules", rules}, {"assignment", "blocks"},
                             {"buyer_values", "150,120,110,100,90,60"}, {"seller_costs", "40,50,70,95,105,140,160"},
                             {"buyers", "3"}, {"sellers", "2"}});
      ms::Run run(info(), p, 3, nullptr);
      ms::ZiDoubleAuction model(run);
      const auto& zi = model.traders();
      const auto& buyers = zi.buyers();
      const auto& sellers = zi.sellers();
      bool loss = false;
      for (std::int64_t t = 1; t <= 30; ++t) {
        model.step(t);
        const auto& trades = model.period_trades();
        ASSERT_EQ(trades.size(), model.period_values().size());
        std::set<std::uint32_t> buyer_units, seller_units;
        std::vector<std::uint32_t> bought(zi.n_buyers(), 0), sold(zi.size(), 0);
        double last_time = 0;
        for (std::size_t k = 0; k < trades.size(); ++k) {
          const auto& tr = trades[k];
          ASSERT_LT(tr.buyer, zi.n_buyers());
          ASSERT_GE(tr.seller, zi.n_buyers());
          EXPECT_EQ(tr.quantity, 1);
          EXPECT_GT(tr.time, last_time);  // one trade per order arrival at most
          EXPECT_LE(tr.time, 1000.0);
          last_time = tr.time;
          const std::uint32_t bu = model.period_buyer_units()[k], su = model.period_seller_units()[k];
          EXPECT_TRUE(buyer_units.insert(bu).second) << "buyer unit traded twice";
          EXPECT_TRUE(seller_units.insert(su).second) << "seller unit traded twice";
          // The j-th unit a trader trades is the j-th of its schedule.
          const auto schedule_b = buyers.schedule(tr.buyer);
          const auto schedule_s = sellers.schedule(tr.seller - zi.n_buyers());
          EXPECT_EQ(bu, static_cast<std::uint32_t>(schedule_b.data() - buyers.all().data()) + bought[tr.buyer]++);
          EXPECT_EQ(su, static_cast<std::uint32_t>(schedule_s.data() - sellers.all().data()) + sold[tr.seller]++);
          EXPECT_EQ(model.period_values()[k], buyers.all()[bu]);
          EXPECT_EQ(model.period_costs()[k], sellers.all()[su]);
          const double v = model.period_values()[k], c = model.period_costs()[k];
          if (std::string(trader) == "zi_c") {
            EXPECT_LE(tr.price, v) << "a ZI-C buyer paid above its value";
            EXPECT_GE(tr.price, c) << "a ZI-C seller sold below its cost";
          }
          loss = loss || tr.price > v || tr.price < c;
        }
        EXPECT_LE(trades.size(), 6u);  // the buyers hold 6 units
      }
      EXPECT_EQ(loss, std::string(trader) == "zi_u");
    }
  }
}

TEST(ZiDoubleAuction, OutputsAddUp) {
  const auto p = params({{"rounds", "8"}, {"record_every", "1"}});
  const auto r = ms::run_scenario(info(), p, 9);
  const auto& efficiency_t = r.series[0];
  const auto& mean_price_t = r.series[1];
  const auto& trades_t = r.series[2];
  ASSERT_EQ(trades_t.size(), 9u);
  EXPECT_TRUE(std::isnan(efficiency_t[0]) && std::isnan(mean_price_t[0]) && std::isnan(trades_t[0]));
  double trades = 0, efficiency = 0, price_sum = 0;
  for (std::size_t t = 1; t < trades_t.size(); ++t) {
    trades += trades_t[t];
    efficiency += efficiency_t[t] / 8;  // every period has the same maximum
    price_sum += mean_price_t[t] * trades_t[t];
  }
  EXPECT_DOUBLE_EQ(r.scalars[scalar_index("trades_per_period")], trades / 8);
  EXPECT_NEAR(r.scalars[scalar_index("efficiency")], efficiency, 1e-12);
  EXPECT_NEAR(r.scalars[scalar_index("total_surplus")], efficiency * 8 * kMaxSurplus, 1e-9);
  EXPECT_NEAR(r.scalars[scalar_index("mean_price")], price_sum / trades, 1e-9);
  // trade_prices: 8 periods x 18 slots; period t's trades first, then NaN.
  const auto& prices = r.vectors[0];
  ASSERT_EQ(prices.size(), 8u * 18u);
  double sum = 0, squares = 0;
  for (std::size_t t = 0; t < 8; ++t) {
    const auto n = static_cast<std::size_t>(trades_t[t + 1]);
    for (std::size_t k = 0; k < 18; ++k) {
      const double x = prices[t * 18 + k];
      EXPECT_EQ(std::isnan(x), k >= n);
      if (k < n) sum += x, squares += (x - kCePrice) * (x - kCePrice);
    }
  }
  EXPECT_NEAR(sum / trades, r.scalars[scalar_index("mean_price")], 1e-9);
  EXPECT_NEAR(std::sqrt(squares / trades), r.scalars[scalar_index("price_rmsd")], 1e-9);
  // Without record_trades the vector is empty.
  const auto quiet = ms::run_scenario(info(), params({{"record_trades", "false"}}), 9);
  EXPECT_TRUE(quiet.vectors[0].empty());
}

TEST(ZiDoubleAuction, SameSeedSameBitsOtherSeedOtherResult) {
  for (const char* rules : {"gode_sunder", "price_time"}) {
    const auto p = params({{"rules", rules}});
    const auto a = ms::run_scenario(info(), p, 17), b = ms::run_scenario(info(), p, 17), c = ms::run_scenario(info(), p, 18);
    EXPECT_TRUE(same_bits(a, b));
    EXPECT_FALSE(same_bits(a, c));
  }
}

TEST(ZiDoubleAuction, BadParametersGetClearErrors) {
  EXPECT_NE(error_of({{"buyer_values", "[]"}}).find("violate 'every buyer holds a unit: buyers <= number of buyer_values'"),
            std::string::npos);
  EXPECT_NE(error_of({{"seller_costs", "10,-5"}}).find("parameter 'seller_costs' element 1 = -5.0 is out of range [0, 1000000000]"),
            std::string::npos);
  EXPECT_NE(error_of({{"buyer_values", "250,100"}, {"buyers", "2"}}).find("every value and cost lies in [price_min, price_max]"),
            std::string::npos);
  EXPECT_NE(error_of({{"price_min", "200"}}).find("violate 'price_min < price_max'"), std::string::npos);
  EXPECT_NE(error_of({{"buyer_values", "50,80"}, {"buyers", "1"}}).find("buyer values do not rise"), std::string::npos);
  EXPECT_NE(error_of({{"trader", "zi_x"}}).find("is not one of: zi_c, zi_u"), std::string::npos);
  EXPECT_NE(error_of({{"rounds", "100000000"}}).find("trade_prices fits in memory"), std::string::npos);
  EXPECT_EQ(error_of({{"rounds", "100000000"}, {"record_trades", "false"}}), "");
}
