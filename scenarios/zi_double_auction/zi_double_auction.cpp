// zi_double_auction: zero-intelligence traders in a continuous double auction.
//
// Gode and Sunder (1993) let budget-constrained random traders (ZI-C) trade in a double
// auction and found allocative efficiency of 97-99%, close to human traders, while
// unconstrained random traders (ZI-U) lost much of the surplus: the market's rules, not
// the traders' intelligence, deliver most of the efficiency. Buyers and sellers hold
// induced unit values and costs (Smith 1962); each period every trader's units are
// restored; one engine round is one period. Order arrivals: a trader holding a unit is
// picked uniformly at random and quotes a ZI price for its current unit (agents/
// zi_traders.hpp); the book (markets/double_auction.hpp) runs Gode and Sunder's rules or
// a full price-time book. Equations, results and tests: docs/models/zi_double_auction.md.
//
// Parameters (name = default [range]):
//   market = gode_sunder_1 | ... | gode_sunder_5 | symmetric | custom
//   trader = zi_c | zi_u              rules = gode_sunder | price_time
//   custom only: buyers = 6, sellers = 6 [1, 10^5], assignment = round_robin | blocks,
//     buyer_values, seller_costs: lists (default: Gode and Sunder's market 1)
//   price_min = 1, price_max = 200      period_length = 1000 order arrivals [1, 10^9]
//   record_trades = true                rounds (= periods) = 6, record_every = 1
#include "scenarios/zi_double_auction/zi_double_auction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "analysis/market.hpp"
#include "sim/error.hpp"

namespace marketsim {
namespace {
constexpr std::uint32_t kArrivalTag = 1;  // which trader places the next order
constexpr std::uint32_t kPriceTag = 2;    // the trader's price (stream per trader and period)
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMaxRecordedPrices = 1e8;  // trade_prices values per run (800 MB)

using Schedules = std::vector<std::vector<double>>;  // one side's traders, units in trading order

// One side of a market as the model deals it: the unit list, how many traders share it,
// and how the list is dealt (agents::UnitSchedules).
struct Side {
  std::vector<double> units;
  std::uint32_t traders = 0;
  agents::UnitAssignment how = agents::UnitAssignment::blocks;
};
struct Market {
  Side buyers, sellers;
};

// Traders' schedules as a `blocks` list. Blocks deal the first (units mod traders)
// traders one unit more, so the traders must come longest first, differing by one unit.
Side as_blocks(const Schedules& traders) {
  Side side{{}, static_cast<std::uint32_t>(traders.size()), agents::UnitAssignment::blocks};
  for (const auto& schedule : traders) {
    if (schedule.size() > traders.front().size() || schedule.size() + 1 < traders.front().size())
      throw std::logic_error("zi_double_auction: a preset's traders cannot be dealt as blocks");
    side.units.insert(side.units.end(), schedule.begin(), schedule.end());
  }
  return side;
}
Schedules six_alike(std::vector<double> schedule) { return Schedules(6, std::move(schedule)); }

// Gode and Sunder's (1993) markets 1-5, six buyers and six sellers each, as read from the
// paper's figures by ndouglas/SugarScape (crates/sugarscape-core/src/zi/market.rs) and
// checked against the paper's text and efficiency table (docs/models/zi_double_auction.md;
// tests GodeSunderMarketsMeetThePapersAnchors). Market 5 is the least certain reading.
// `symmetric` is this project's own market (costs c = 201 - v about the middle of the
// price range); it stays for the symmetric-price checks.
const std::map<std::string, Market, std::less<>>& presets() {
  static const std::map<std::string, Market, std::less<>> markets = {
      {"gode_sunder_1", {as_blocks(six_alike({102, 97, 92, 87, 82, 77})), as_blocks(six_alike({34, 46, 58, 70, 82, 94}))}},
      {"gode_sunder_2", {as_blocks(six_alike({117, 105, 93, 81, 69, 57})), as_blocks(six_alike({49, 54, 59, 64, 69, 74}))}},
      {"gode_sunder_3", {as_blocks(six_alike({133, 95, 90})), as_blocks(six_alike({90, 95, 100}))}},
      {"gode_sunder_4", {as_blocks(six_alike({180, 175, 170, 165, 160})), as_blocks(six_alike({90, 142, 170, 190, 198}))}},
      // A fine staircase of 18 intra-marginal units a side (from 159 down to 131 and from 96
      // up to 124, dealt in turn to three traders) and three traders a side holding seven
      // extra-marginal units each, just beyond the equilibrium (127 and 131).
      {"gode_sunder_5",
       {as_blocks({{127, 127, 127, 127, 127, 127, 127},
                   {127, 127, 127, 127, 127, 127, 127},
                   {127, 127, 127, 127, 127, 127, 127},
                   {159, 154, 149, 144, 139, 134},
                   {157, 152, 147, 143, 138, 133},
                   {156, 151, 146, 141, 136, 131}}),
        as_blocks({{131, 131, 131, 131, 131, 131, 131},
                   {131, 131, 131, 131, 131, 131, 131},
                   {131, 131, 131, 131, 131, 131, 131},
                   {96, 101, 106, 111, 116, 121},
                   {98, 103, 108, 112, 117, 122},
                   {99, 104, 109, 114, 119, 124}})}},
      {"symmetric", {as_blocks({{170, 120, 98}, {160, 115, 95}, {150, 110, 92}, {140, 107, 89}, {130, 104, 86}, {125, 101, 83}}),
                     as_blocks({{31, 81, 103}, {41, 86, 106}, {51, 91, 109}, {61, 94, 112}, {71, 97, 115}, {76, 100, 118}})}},
  };
  return markets;
}

// The custom lists' defaults: market 1 again, sorted, so that six traders dealt round
// robin hold exactly market 1's schedules.
std::vector<double> sorted_units(const Side& side, bool descending) {
  std::vector<double> units = side.units;
  if (descending) std::sort(units.begin(), units.end(), std::greater<>());
  else std::sort(units.begin(), units.end());
  return units;
}
const std::vector<double>& default_values() {
  static const auto v = sorted_units(presets().at("gode_sunder_1").buyers, true);
  return v;
}
const std::vector<double>& default_costs() {
  static const auto c = sorted_units(presets().at("gode_sunder_1").sellers, false);
  return c;
}

Market market_of(const Params& p) {
  const std::string& name = p.choice("market");
  if (name != "custom") return presets().at(name);
  const auto how = p.choice("assignment") == "blocks" ? agents::UnitAssignment::blocks : agents::UnitAssignment::round_robin;
  return {{p.reals("buyer_values"), static_cast<std::uint32_t>(p.integer("buyers")), how},
          {p.reals("seller_costs"), static_cast<std::uint32_t>(p.integer("sellers")), how}};
}

// A named market fixes the schedules, so the custom parameters must keep their defaults.
constexpr const char* kCustomKeys[] = {"buyers", "sellers", "buyer_values", "seller_costs", "assignment"};
bool custom_keys_at_defaults(const Params& p) {
  return std::all_of(std::begin(kCustomKeys), std::end(kCustomKeys),
                     [&](const char* key) { return p.value(key) == p.schema().find(key)->default_value; });
}

agents::UnitSchedules schedules(const Side& side, markets::Side which) {
  return agents::UnitSchedules(side.units, side.traders, side.how, which,
                               which == markets::Side::buy ? "buyer_values" : "seller_costs");
}

agents::ZiTraders make_traders(const Params& p, const Market& m) {
  return agents::ZiTraders(schedules(m.buyers, markets::Side::buy), schedules(m.sellers, markets::Side::sell),
                           p.choice("trader") == "zi_u" ? agents::ZiRule::unconstrained : agents::ZiRule::constrained,
                           {p.real("price_min"), p.real("price_max")});
}

// Most trades a period can hold: each trade takes a unit from each side and an arrival.
std::size_t max_trades(const Params& p) {
  const Market m = market_of(p);
  return static_cast<std::size_t>(std::min<std::int64_t>({static_cast<std::int64_t>(m.buyers.units.size()),
                                                          static_cast<std::int64_t>(m.sellers.units.size()),
                                                          p.integer("period_length")}));
}

std::size_t trade_prices_length(const Params& p) {
  return p.boolean("record_trades") ? static_cast<std::size_t>(p.integer("rounds")) * max_trades(p) : 0;
}

// Each trader's profit at the competitive price p* (buyers first, then sellers): the
// benchmark of the profit dispersion. They sum to the maximum surplus.
std::vector<double> profits_at_price(const agents::ZiTraders& zi, double price) {
  std::vector<double> profit(zi.size(), 0.0);
  for (std::uint32_t t = 0; t < zi.size(); ++t) {
    const bool buyer = t < zi.n_buyers();
    const auto schedule = buyer ? zi.buyers().schedule(t) : zi.sellers().schedule(t - zi.n_buyers());
    for (double limit : schedule) profit[t] += std::max(buyer ? limit - price : price - limit, 0.0);
  }
  return profit;
}

}  // namespace

ScenarioInfo describe_zi_double_auction() {
  ScenarioInfo s;
  s.name = "zi_double_auction";
  s.summary = "Zero-intelligence traders in a double auction (Gode and Sunder 1993): efficiency from market rules";
  s.story =
      "Buyers and sellers with induced unit values and costs trade in a continuous double auction. Zero-intelligence "
      "traders quote random prices: ZI-C within their budget constraint (never at a loss), ZI-U anywhere in the price "
      "range. Gode and Sunder (1993) found ZI-C markets about 97-99% efficient with prices near the competitive "
      "equilibrium, ZI-U markets much less efficient. One round is one trading period.";
  s.default_rounds = 6;
  s.default_record_every = 1;
  auto& p = *s.schema;
  p.choice("market", "gode_sunder_1",
           {"gode_sunder_1", "gode_sunder_2", "gode_sunder_3", "gode_sunder_4", "gode_sunder_5", "symmetric", "custom"},
           "the traders' schedules: Gode and Sunder's (1993) markets 1-5 (six buyers, six sellers), this project's "
           "symmetric market, or custom (buyers, sellers, buyer_values, seller_costs, assignment)");
  p.choice("trader", "zi_c", {"zi_c", "zi_u"},
           "zi_c: budget-constrained (bid uniform on [price_min, value], ask on [cost, price_max]); zi_u: uniform on "
           "[price_min, price_max]");
  p.choice("rules", "gode_sunder", {"gode_sunder", "price_time"},
           "gode_sunder: one standing bid and ask, improvement rule, book cleared after each trade; price_time: full "
           "book, each trader's latest order stands until filled or replaced");
  p.integer("buyers", 6, {1, 1e5}, "traders", "market = custom: number of buyers sharing the buyer_values");
  p.integer("sellers", 6, {1, 1e5}, "traders", "market = custom: number of sellers sharing the seller_costs");
  p.real_list("buyer_values", default_values(), {0, 1e9}, "currency",
              "market = custom: buyers' unit values, dealt to buyers by assignment (default: market 1's)");
  p.real_list("seller_costs", default_costs(), {0, 1e9}, "currency",
              "market = custom: sellers' unit costs, dealt to sellers by assignment (default: market 1's)");
  p.choice("assignment", "round_robin", {"round_robin", "blocks"},
           "market = custom: how list entries become schedules: round_robin deals entry k to trader k mod n; blocks "
           "gives each trader consecutive entries");
  p.real("price_min", 1, {0, 1e9}, "currency", "lowest price a ZI trader quotes");
  p.real("price_max", 200, {0, 1e9}, "currency", "highest price a ZI trader quotes (ZI-U's upper bound)");
  p.integer("period_length", 1000, {1, 1e9}, "orders", "order arrivals per trading period");
  p.boolean("record_trades", true, "keep the per-trade price vector trade_prices (rounds x max trades per period)");
  p.check({"market", "buyer_values", "seller_costs", "buyers", "sellers", "assignment"},
          "market = custom, or buyer_values, seller_costs, buyers, sellers and assignment keep their defaults (a named "
          "market fixes the schedules)",
          [](const Params& q) { return q.choice("market") == "custom" || custom_keys_at_defaults(q); });
  p.check({"price_min", "price_max"}, "price_min < price_max",
          [](const Params& q) { return q.real("price_min") < q.real("price_max"); });
  p.check({"buyers", "buyer_values"}, "every buyer holds a unit: buyers <= number of buyer_values",
          [](const Params& q) { return static_cast<std::size_t>(q.integer("buyers")) <= q.reals("buyer_values").size(); });
  p.check({"sellers", "seller_costs"}, "every seller holds a unit: sellers <= number of seller_costs",
          [](const Params& q) { return static_cast<std::size_t>(q.integer("sellers")) <= q.reals("seller_costs").size(); });
  p.check({"market", "buyer_values", "seller_costs", "price_min", "price_max"},
          "every value and cost lies in [price_min, price_max]", [](const Params& q) {
            const Market m = market_of(q);
            auto inside = [&](const std::vector<double>& xs) {
              return std::all_of(xs.begin(), xs.end(),
                                 [&](double x) { return x >= q.real("price_min") && x <= q.real("price_max"); });
            };
            return inside(m.buyers.units) && inside(m.sellers.units);
          });
  p.check({"buyer_values", "seller_costs", "buyers", "sellers", "assignment"},
          "along each schedule (as dealt by assignment) buyer values do not rise and seller costs do not fall",
          [](const Params& q) {
            try {
              const Market m = market_of(q);
              schedules(m.buyers, markets::Side::buy);
              schedules(m.sellers, markets::Side::sell);
              return true;
            } catch (const Error&) {
              return false;
            }
          });
  p.check({"record_trades", "rounds", "period_length"},
          "record_trades = false or rounds x min(units per side, period_length) <= 10^8 (trade_prices fits in memory)",
          [](const Params& q) { return static_cast<double>(trade_prices_length(q)) <= kMaxRecordedPrices; });
  s.scalar("efficiency", "1", "allocative efficiency: realised surplus over rounds x max_surplus");
  s.scalar("mean_price", "currency", "mean price of all trades (NaN without trades)");
  s.scalar("price_rmsd", "currency", "root-mean-square deviation of trade prices from ce_price (NaN without trades)");
  s.scalar("trades_per_period", "trades", "mean number of trades per period");
  s.scalar("profit_dispersion", "currency",
           "mean over periods of the root-mean-square difference between traders' profits and their profits at ce_price");
  s.scalar("total_surplus", "currency", "realised surplus (buyers' v - p plus sellers' p - c) over all periods");
  s.scalar("ce_price", "currency", "competitive equilibrium price: midpoint of the market-clearing interval");
  s.scalar("ce_quantity", "units", "competitive equilibrium quantity per period");
  s.scalar("max_surplus", "currency", "maximum surplus of one period (at the competitive allocation)");
  s.series_output("efficiency_t", "1", "efficiency of the period (NaN at round 0)");
  s.series_output("mean_price_t", "currency", "mean trade price of the period (NaN at round 0 or without trades)");
  s.series_output("trades_t", "trades", "trades in the period (NaN at round 0)");
  s.vector("trade_prices", "trade_slot", "currency",
           "trade prices, period by period: period t's k-th trade at slot (t-1) x M + k-1, M = min(buyer units, seller "
           "units, period_length); NaN after a period's last trade; empty unless record_trades",
           trade_prices_length);
  return s;
}

ZiDoubleAuction::ZiDoubleAuction(Run& run)
    : seed_(run.seed()),
      period_length_(run.params().integer("period_length")),
      max_trades_(max_trades(run.params())),
      full_book_(run.params().choice("rules") == "price_time"),
      traders_(make_traders(run.params(), market_of(run.params()))),
      book_(full_book_ ? markets::AuctionRules::price_time : markets::AuctionRules::gode_sunder),
      ce_(markets::competitive_equilibrium(traders_.buyers().all(), traders_.sellers().all())),
      equilibrium_profit_(profits_at_price(traders_, ce_.price())),
      profit_(traders_.size(), 0.0),
      standing_(traders_.size(), markets::kNoOrder),
      period_efficiency_(kNaN),
      period_mean_price_(kNaN),
      period_trades_(kNaN),
      trade_prices_(trade_prices_length(run.params()), kNaN) {
  price_streams_.reserve(traders_.size());
  for (auto* v : {&value_, &cost_, &price_}) v->reserve(max_trades_);
}

void ZiDoubleAuction::step(std::int64_t round) {
  const auto period = static_cast<std::uint32_t>(round);
  traders_.restore();
  book_.clear();
  book_.clear_trades();
  std::fill(standing_.begin(), standing_.end(), markets::kNoOrder);
  for (auto* v : {&value_, &cost_, &price_}) v->clear();
  buyer_unit_.clear();
  seller_unit_.clear();
  std::fill(profit_.begin(), profit_.end(), 0.0);
  price_streams_.clear();
  for (std::uint32_t i = 0; i < traders_.size(); ++i) price_streams_.emplace_back(seed_, kPriceTag, i, period);
  Stream arrivals(seed_, kArrivalTag, 0, period);

  for (std::int64_t k = 1; k <= period_length_; ++k) {
    // With one side out of units no trade can happen: the rest of the period is idle.
    if (traders_.active_buyers() == 0 || traders_.active_sellers() == 0) break;
    const std::uint32_t i = traders_.pick(arrivals);
    const double price = traders_.quote(i, price_streams_[i]);
    if (full_book_) book_.cancel(standing_[i]);  // the new order replaces its last one
    const std::size_t before = book_.trades().size();
    const markets::OrderResult r = book_.submit(traders_.side(i), i, price, 1, static_cast<double>(k));
    if (full_book_) standing_[i] = r.resting > 0 ? r.id : markets::kNoOrder;
    if (book_.trades().size() > before) settle(book_.trades().back());
  }

  const double surplus = analysis::trade_surplus(value_, cost_, price_).total();
  const auto n = static_cast<std::int64_t>(price_.size());
  double price_sum = 0, squared_deviation = 0;
  for (double p : price_) {
    price_sum += p;
    squared_deviation += (p - ce_.price()) * (p - ce_.price());
  }
  double squared_profit_gap = 0;
  for (std::size_t t = 0; t < profit_.size(); ++t)
    squared_profit_gap += (profit_[t] - equilibrium_profit_[t]) * (profit_[t] - equilibrium_profit_[t]);
  period_efficiency_ = analysis::allocative_efficiency(surplus, ce_.max_surplus);
  period_mean_price_ = n > 0 ? price_sum / static_cast<double>(n) : kNaN;
  period_trades_ = static_cast<double>(n);
  // Period t's block of trade_prices (periods beyond `rounds`, when a caller steps on, go unrecorded).
  const std::size_t block = static_cast<std::size_t>(periods_) * max_trades_;
  if (block + max_trades_ <= trade_prices_.size())
    std::copy(price_.begin(), price_.end(), trade_prices_.begin() + static_cast<std::ptrdiff_t>(block));
  ++periods_;
  trades_ += n;
  surplus_ += surplus;
  price_sum_ += price_sum;
  squared_deviation_sum_ += squared_deviation;
  profit_dispersion_sum_ += std::sqrt(squared_profit_gap / static_cast<double>(profit_.size()));
}

void ZiDoubleAuction::settle(const markets::Trade& trade) {
  const std::uint32_t b = trade.buyer, s = trade.seller;
  value_.push_back(traders_.limit(b));
  cost_.push_back(traders_.limit(s));
  price_.push_back(trade.price);
  profit_[b] += traders_.limit(b) - trade.price;
  profit_[s] += trade.price - traders_.limit(s);
  buyer_unit_.push_back(traders_.unit(b));
  seller_unit_.push_back(traders_.unit(s));
  traders_.traded(b);
  traders_.traded(s);
  standing_[b] = standing_[s] = markets::kNoOrder;  // both orders are filled
}

void ZiDoubleAuction::record(Run& run) {
  run.record("efficiency_t", period_efficiency_);
  run.record("mean_price_t", period_mean_price_);
  run.record("trades_t", period_trades_);
}

void ZiDoubleAuction::finish(Run& run) {
  const double n = static_cast<double>(trades_);
  run.set("efficiency", analysis::allocative_efficiency(surplus_, static_cast<double>(periods_) * ce_.max_surplus));
  run.set("mean_price", trades_ > 0 ? price_sum_ / n : kNaN);
  run.set("price_rmsd", trades_ > 0 ? std::sqrt(squared_deviation_sum_ / n) : kNaN);
  run.set("trades_per_period", periods_ > 0 ? n / static_cast<double>(periods_) : kNaN);
  run.set("profit_dispersion", periods_ > 0 ? profit_dispersion_sum_ / static_cast<double>(periods_) : kNaN);
  run.set("total_surplus", surplus_);
  run.set("ce_price", ce_.price());
  run.set("ce_quantity", static_cast<double>(ce_.quantity));
  run.set("max_surplus", ce_.max_surplus);
  run.set_vector("trade_prices", std::move(trade_prices_));
}

MARKETSIM_SCENARIO(describe_zi_double_auction, ZiDoubleAuction);

}  // namespace marketsim
