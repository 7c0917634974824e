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
//   trader = zi_c | zi_u              rules = gode_sunder | price_time
//   buyers = 6, sellers = 6 [1, 10^5]  assignment = round_robin | blocks
//   buyer_values, seller_costs: lists (default: a symmetric 18-unit market, CE price 100.5)
//   price_min = 1, price_max = 200      period_length = 1000 order arrivals [1, 10^9]
//   record_trades = true                rounds (= periods) = 6, record_every = 1
#include "scenarios/zi_double_auction/zi_double_auction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/market.hpp"
#include "sim/error.hpp"

namespace marketsim {
namespace {
constexpr std::uint32_t kArrivalTag = 1;  // which trader places the next order
constexpr std::uint32_t kPriceTag = 2;    // the trader's price (stream per trader and period)
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMaxRecordedPrices = 1e8;  // trade_prices values per run (800 MB)

// The default market: 6 buyers and 6 sellers with 3 units each (dealt round robin). The
// buyers' values fall from 170 to 83; the sellers' costs mirror them about the middle of
// the price range, c = 201 - v, so the market is symmetric: q* = 12 units, CE prices
// [100, 101], maximum surplus 652 per period; trading all 18 units yields 532 (81.6%).
const std::vector<double> kBuyerValues = {170, 160, 150, 140, 130, 125, 120, 115, 110,
                                          107, 104, 101, 98,  95,  92,  89,  86,  83};
const std::vector<double> kSellerCosts = {31, 41, 51, 61, 71, 76, 81, 86, 91, 94, 97, 100, 103, 106, 109, 112, 115, 118};

agents::UnitAssignment assignment(const Params& p) {
  return p.choice("assignment") == "blocks" ? agents::UnitAssignment::blocks : agents::UnitAssignment::round_robin;
}

agents::UnitSchedules schedules(const Params& p, markets::Side side) {
  const bool buy = side == markets::Side::buy;
  const char* list = buy ? "buyer_values" : "seller_costs";
  return agents::UnitSchedules(p.reals(list), static_cast<std::uint32_t>(p.integer(buy ? "buyers" : "sellers")),
                               assignment(p), side, list);
}

agents::ZiTraders make_traders(const Params& p) {
  return agents::ZiTraders(schedules(p, markets::Side::buy), schedules(p, markets::Side::sell),
                           p.choice("trader") == "zi_u" ? agents::ZiRule::unconstrained : agents::ZiRule::constrained,
                           {p.real("price_min"), p.real("price_max")});
}

// Most trades a period can hold: each trade takes a unit from each side and an arrival.
std::size_t max_trades(const Params& p) {
  return static_cast<std::size_t>(std::min<std::int64_t>(
      {static_cast<std::int64_t>(p.reals("buyer_values").size()), static_cast<std::int64_t>(p.reals("seller_costs").size()),
       p.integer("period_length")}));
}

std::size_t trade_prices_length(const Params& p) {
  return p.boolean("record_trades") ? static_cast<std::size_t>(p.integer("rounds")) * max_trades(p) : 0;
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
  p.choice("trader", "zi_c", {"zi_c", "zi_u"},
           "zi_c: budget-constrained (bid uniform on [price_min, value], ask on [cost, price_max]); zi_u: uniform on "
           "[price_min, price_max]");
  p.choice("rules", "gode_sunder", {"gode_sunder", "price_time"},
           "gode_sunder: one standing bid and ask, improvement rule, book cleared after each trade; price_time: full "
           "book, each trader's latest order stands until filled or replaced");
  p.integer("buyers", 6, {1, 1e5}, "traders", "number of buyers sharing the buyer_values");
  p.integer("sellers", 6, {1, 1e5}, "traders", "number of sellers sharing the seller_costs");
  p.real_list("buyer_values", kBuyerValues, {0, 1e9}, "currency", "buyers' unit values, dealt to buyers by assignment");
  p.real_list("seller_costs", kSellerCosts, {0, 1e9}, "currency", "sellers' unit costs, dealt to sellers by assignment");
  p.choice("assignment", "round_robin", {"round_robin", "blocks"},
           "how list entries become schedules: round_robin deals entry k to trader k mod n; blocks gives each trader "
           "consecutive entries");
  p.real("price_min", 1, {0, 1e9}, "currency", "lowest price a ZI trader quotes");
  p.real("price_max", 200, {0, 1e9}, "currency", "highest price a ZI trader quotes (ZI-U's upper bound)");
  p.integer("period_length", 1000, {1, 1e9}, "orders", "order arrivals per trading period");
  p.boolean("record_trades", true, "keep the per-trade price vector trade_prices (rounds x max trades per period)");
  p.check({"price_min", "price_max"}, "price_min < price_max",
          [](const Params& q) { return q.real("price_min") < q.real("price_max"); });
  p.check({"buyers", "buyer_values"}, "every buyer holds a unit: buyers <= number of buyer_values",
          [](const Params& q) { return static_cast<std::size_t>(q.integer("buyers")) <= q.reals("buyer_values").size(); });
  p.check({"sellers", "seller_costs"}, "every seller holds a unit: sellers <= number of seller_costs",
          [](const Params& q) { return static_cast<std::size_t>(q.integer("sellers")) <= q.reals("seller_costs").size(); });
  p.check({"buyer_values", "seller_costs", "price_min", "price_max"},
          "every value and cost lies in [price_min, price_max]", [](const Params& q) {
            auto inside = [&](const std::vector<double>& xs) {
              return std::all_of(xs.begin(), xs.end(),
                                 [&](double x) { return x >= q.real("price_min") && x <= q.real("price_max"); });
            };
            return inside(q.reals("buyer_values")) && inside(q.reals("seller_costs"));
          });
  p.check({"buyer_values", "seller_costs", "buyers", "sellers", "assignment"},
          "along each schedule (as dealt by assignment) buyer values do not rise and seller costs do not fall",
          [](const Params& q) {
            try {
              schedules(q, markets::Side::buy);
              schedules(q, markets::Side::sell);
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
      traders_(make_traders(run.params())),
      book_(full_book_ ? markets::AuctionRules::price_time : markets::AuctionRules::gode_sunder),
      ce_(markets::competitive_equilibrium(run.params().reals("buyer_values"), run.params().reals("seller_costs"))),
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
}

void ZiDoubleAuction::settle(const markets::Trade& trade) {
  const std::uint32_t b = trade.buyer, s = trade.seller;
  value_.push_back(traders_.limit(b));
  cost_.push_back(traders_.limit(s));
  price_.push_back(trade.price);
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
  run.set("total_surplus", surplus_);
  run.set("ce_price", ce_.price());
  run.set("ce_quantity", static_cast<double>(ce_.quantity));
  run.set("max_surplus", ce_.max_surplus);
  run.set_vector("trade_prices", std::move(trade_prices_));
}

MARKETSIM_SCENARIO(describe_zi_double_auction, ZiDoubleAuction);

}  // namespace marketsim
