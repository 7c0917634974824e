// The continuous double auction (markets/double_auction.hpp), competitive equilibrium on
// hand-computed schedules, and the zero-intelligence traders (agents/zi_traders.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "agents/zi_traders.hpp"
#include "markets/double_auction.hpp"
#include "sim/error.hpp"

namespace ms = marketsim;
using ms::agents::PriceBounds;
using ms::agents::UnitAssignment;
using ms::agents::UnitSchedules;
using ms::agents::ZiRule;
using ms::agents::ZiTraders;
using ms::markets::AuctionRules;
using ms::markets::DoubleAuction;
using ms::markets::OrderId;
using ms::markets::Side;

namespace {

// The message of the marketsim::Error that `f` throws ("" if none).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const ms::Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(DoubleAuction, PriceTimePriorityOnAHandBuiltBook) {
  DoubleAuction book;
  const OrderId a = book.submit(Side::sell, 1, 10, 2, 1).id;  // first at 10
  const OrderId b = book.submit(Side::sell, 2, 10, 1, 2).id;  // second at 10
  const OrderId c = book.submit(Side::sell, 3, 9, 1, 3).id;   // best price, arrives later
  const OrderId d = book.submit(Side::sell, 4, 11, 1, 4).id;
  EXPECT_EQ(book.best_ask(), 9.0);
  EXPECT_EQ(book.queue(Side::sell, 10), (std::vector<OrderId>{a, b}));
  EXPECT_EQ(book.units_at(Side::sell, 10), 3);
  EXPECT_TRUE(book.trades().empty());

  // A bid for 3 at 10 takes the best price first (c at 9), then the earliest order at
  // 10 (a, both units); b, later at 10, and d at 11 are untouched.
  auto r = book.submit(Side::buy, 7, 10, 3, 5);
  EXPECT_EQ(r.filled, 3);
  EXPECT_EQ(r.resting, 0);
  ASSERT_EQ(book.trades().size(), 2u);
  const auto& t0 = book.trades()[0];
  EXPECT_EQ(t0.price, 9.0);
  EXPECT_EQ(t0.quantity, 1);
  EXPECT_EQ(t0.seller, 3u);
  EXPECT_EQ(t0.buyer, 7u);
  EXPECT_EQ(t0.sell_order, c);
  EXPECT_EQ(t0.buy_order, r.id);
  EXPECT_EQ(t0.time, 5.0);
  EXPECT_EQ(t0.incoming, Side::buy);
  const auto& t1 = book.trades()[1];
  EXPECT_EQ(t1.price, 10.0);
  EXPECT_EQ(t1.quantity, 2);
  EXPECT_EQ(t1.seller, 1u);
  EXPECT_EQ(t1.sell_order, a);
  EXPECT_EQ(book.queue(Side::sell, 10), (std::vector<OrderId>{b}));
  EXPECT_EQ(book.best_ask(), 10.0);
  EXPECT_EQ(book.standing(Side::sell), 2u);
  EXPECT_FALSE(book.best_bid().has_value());

  // A bid for 3 at 12 sweeps b (10) and d (11), each at its own standing price; the
  // unit left over stands as the best bid.
  r = book.submit(Side::buy, 8, 12, 3, 6);
  EXPECT_EQ(r.filled, 2);
  EXPECT_EQ(r.resting, 1);
  ASSERT_EQ(book.trades().size(), 4u);
  EXPECT_EQ(book.trades()[2].price, 10.0);
  EXPECT_EQ(book.trades()[2].sell_order, b);
  EXPECT_EQ(book.trades()[3].price, 11.0);
  EXPECT_EQ(book.trades()[3].sell_order, d);
  EXPECT_EQ(book.best_bid(), 12.0);
  EXPECT_FALSE(book.best_ask().has_value());
  EXPECT_EQ(book.remaining(r.id), 1);
  EXPECT_EQ(book.standing(), 1u);
}

TEST(DoubleAuction, TradesAtTheStandingOrdersPriceWhicheverSideArrives) {
  DoubleAuction book;
  book.submit(Side::buy, 1, 8, 1);
  book.submit(Side::sell, 2, 3, 1);  // an ask below the standing bid trades at the bid
  book.submit(Side::sell, 3, 3, 1);
  book.submit(Side::buy, 4, 8, 1);  // a bid above the standing ask trades at the ask
  ASSERT_EQ(book.trades().size(), 2u);
  EXPECT_EQ(book.trades()[0].price, 8.0);
  EXPECT_EQ(book.trades()[0].incoming, Side::sell);
  EXPECT_EQ(book.trades()[1].price, 3.0);
  EXPECT_EQ(book.trades()[1].incoming, Side::buy);
  // Crossing at equality trades; one tick apart does not.
  book.submit(Side::sell, 5, 5, 1);
  book.submit(Side::buy, 6, 4.999, 1);
  EXPECT_EQ(book.trades().size(), 2u);
  book.submit(Side::buy, 6, 5, 1);
  EXPECT_EQ(book.trades().size(), 3u);
  EXPECT_EQ(book.standing(), 1u);  // the 4.999 bid
}

TEST(DoubleAuction, TimePriorityAndPartialFillsWithinALevel) {
  DoubleAuction book;
  const OrderId x = book.submit(Side::buy, 1, 5, 2).id;
  const OrderId y = book.submit(Side::buy, 2, 5, 2).id;
  const OrderId z = book.submit(Side::buy, 3, 4, 5).id;
  auto r = book.submit(Side::sell, 9, 4, 3);  // 2 from x, 1 from y; z (lower price) waits
  EXPECT_EQ(r.filled, 3);
  ASSERT_EQ(book.trades().size(), 2u);
  EXPECT_EQ(book.trades()[0].buy_order, x);
  EXPECT_EQ(book.trades()[0].quantity, 2);
  EXPECT_EQ(book.trades()[1].buy_order, y);
  EXPECT_EQ(book.trades()[1].quantity, 1);
  EXPECT_EQ(book.remaining(x), 0);  // filled: its id no longer names an order
  EXPECT_EQ(book.remaining(y), 1);
  EXPECT_EQ(book.remaining(z), 5);
  EXPECT_EQ(book.units_at(Side::buy, 5), 1);
  // A later order at y's price queues behind y even after y was partly filled.
  const OrderId w = book.submit(Side::buy, 4, 5, 1).id;
  EXPECT_EQ(book.queue(Side::buy, 5), (std::vector<OrderId>{y, w}));
}

TEST(DoubleAuction, CancellationKeepsTheQueueAndRejectsStaleIds) {
  DoubleAuction book;
  const OrderId a = book.submit(Side::sell, 1, 20, 1).id;
  const OrderId b = book.submit(Side::sell, 2, 20, 1).id;
  const OrderId c = book.submit(Side::sell, 3, 20, 1).id;
  const OrderId top = book.submit(Side::sell, 4, 19, 1).id;
  EXPECT_TRUE(book.cancel(b));
  EXPECT_FALSE(book.cancel(b));  // already cancelled
  EXPECT_EQ(book.queue(Side::sell, 20), (std::vector<OrderId>{a, c}));
  EXPECT_EQ(book.units_at(Side::sell, 20), 2);
  EXPECT_FALSE(book.cancel(ms::markets::kNoOrder));
  EXPECT_FALSE(book.cancel(0xDEADBEEF12345678ULL));
  // Cancelling the only order at the best price moves the best price.
  EXPECT_TRUE(book.cancel(top));
  EXPECT_EQ(book.best_ask(), 20.0);
  // A new order reuses a freed slot, yet the old ids stay dead.
  const OrderId e = book.submit(Side::sell, 5, 21, 1).id;
  EXPECT_NE(e, b);
  EXPECT_NE(e, top);
  EXPECT_FALSE(book.cancel(b));
  EXPECT_FALSE(book.cancel(top));
  // A filled order cannot be cancelled.
  book.submit(Side::buy, 6, 20, 1);
  EXPECT_FALSE(book.cancel(a));
  EXPECT_EQ(book.queue(Side::sell, 20), (std::vector<OrderId>{c}));
  book.clear();
  EXPECT_EQ(book.standing(), 0u);
  EXPECT_FALSE(book.cancel(c));
  EXPECT_FALSE(book.cancel(e));
  EXPECT_EQ(book.trades().size(), 1u);  // clear() keeps the trade log
}

// Random order flow with cancellations: units are conserved, the book never stays
// crossed, and every trade is at the standing order's price and within both limits.
TEST(DoubleAuction, RandomOrderFlowConservesUnits) {
  DoubleAuction book;
  ms::Stream s(42, 1);
  std::map<OrderId, double> price_of;  // every order that stood, by id
  std::vector<OrderId> live;
  std::int64_t submitted = 0, traded = 0, cancelled = 0;
  for (int k = 0; k < 20000; ++k) {
    if (!live.empty() && s.below(10) == 0) {
      const std::size_t j = s.below(live.size());
      const std::int64_t left = book.remaining(live[j]);
      if (book.cancel(live[j])) cancelled += left;
      live[j] = live.back();
      live.pop_back();
      continue;
    }
    const Side side = s.below(2) ? Side::buy : Side::sell;
    const double price = 90 + static_cast<double>(s.below(21));
    const auto quantity = static_cast<std::int64_t>(1 + s.below(5));
    const std::size_t before = book.trades().size();
    auto r = book.submit(side, static_cast<std::uint32_t>(k), price, quantity, k);
    submitted += quantity;
    std::int64_t filled = 0;
    for (std::size_t t = before; t < book.trades().size(); ++t) {
      const auto& trade = book.trades()[t];
      filled += trade.quantity;
      const OrderId standing = side == Side::buy ? trade.sell_order : trade.buy_order;
      ASSERT_TRUE(price_of.count(standing));
      EXPECT_EQ(trade.price, price_of[standing]);
      EXPECT_TRUE(side == Side::buy ? trade.price <= price : trade.price >= price);
    }
    EXPECT_EQ(filled, r.filled);
    EXPECT_EQ(r.filled + r.resting, quantity);
    traded += filled;
    if (r.resting > 0) price_of[r.id] = price, live.push_back(r.id);
    if (book.best_bid() && book.best_ask()) EXPECT_LT(*book.best_bid(), *book.best_ask());
  }
  std::int64_t in_book = 0;
  for (const auto& [id, price] : price_of) in_book += book.remaining(id);
  // Each traded unit leaves the book once from each side; one side came from the book.
  EXPECT_EQ(submitted, 2 * traded + cancelled + in_book);
  EXPECT_GT(traded, 1000);
  EXPECT_GT(cancelled, 100);
}

TEST(DoubleAuction, GodeSunderRules) {
  DoubleAuction book(AuctionRules::gode_sunder);
  const OrderId first = book.submit(Side::buy, 1, 50).id;
  EXPECT_TRUE(book.submit(Side::buy, 2, 40).rejected);  // does not improve the bid
  EXPECT_TRUE(book.submit(Side::buy, 2, 50).rejected);  // improvement must be strict
  EXPECT_EQ(book.best_bid(), 50.0);
  const auto better = book.submit(Side::buy, 2, 60);    // replaces the standing bid
  EXPECT_FALSE(better.rejected);
  EXPECT_EQ(book.standing(Side::buy), 1u);
  EXPECT_EQ(book.best_bid(), 60.0);
  EXPECT_EQ(book.remaining(first), 0);
  book.submit(Side::sell, 3, 100);
  EXPECT_TRUE(book.submit(Side::sell, 4, 110).rejected);
  book.submit(Side::sell, 4, 90);
  EXPECT_EQ(book.best_ask(), 90.0);
  EXPECT_EQ(book.standing(), 2u);
  // A bid crossing the ask trades at the ask's price; then the whole book is cleared.
  auto r = book.submit(Side::buy, 5, 95, 1, 7);
  EXPECT_EQ(r.filled, 1);
  ASSERT_EQ(book.trades().size(), 1u);
  EXPECT_EQ(book.trades()[0].price, 90.0);
  EXPECT_EQ(book.trades()[0].buyer, 5u);
  EXPECT_EQ(book.trades()[0].seller, 4u);
  EXPECT_EQ(book.standing(), 0u);
  EXPECT_EQ(book.remaining(better.id), 0);
  // After the clearing any bid stands again; an ask crossing it trades at the bid.
  book.submit(Side::buy, 1, 10);
  r = book.submit(Side::sell, 3, 5);
  EXPECT_EQ(r.filled, 1);
  EXPECT_EQ(book.trades().back().price, 10.0);
  EXPECT_EQ(book.standing(), 0u);
  EXPECT_TRUE(contains(error_of([&] { book.submit(Side::buy, 1, 10, 2); }), "every order is for one unit, got quantity 2"));
}

TEST(DoubleAuction, BadOrdersGetClearErrors) {
  DoubleAuction book;
  EXPECT_TRUE(contains(error_of([&] { book.submit(Side::buy, 1, -1); }), "price must be finite and non-negative, got -1"));
  EXPECT_TRUE(contains(error_of([&] { book.submit(Side::buy, 1, std::nan("")); }), "got nan"));
  EXPECT_TRUE(contains(error_of([&] { book.submit(Side::sell, 1, std::numeric_limits<double>::infinity()); }), "got inf"));
  EXPECT_TRUE(contains(error_of([&] { book.submit(Side::sell, 1, 5, 0); }), "quantity must be at least 1 unit, got 0"));
  EXPECT_EQ(book.standing(), 0u);
}

TEST(CompetitiveEquilibrium, HandComputedSchedules) {
  // v = 10 8 6 4, c = 3 5 7 9: two units trade (6 < 7); clearing prices [max(5, 6), min(8, 7)].
  auto ce = ms::markets::competitive_equilibrium(std::vector<double>{10, 8, 6, 4}, std::vector<double>{3, 5, 7, 9});
  EXPECT_EQ(ce.quantity, 2u);
  EXPECT_EQ(ce.price_low, 6.0);
  EXPECT_EQ(ce.price_high, 7.0);
  EXPECT_EQ(ce.price(), 6.5);
  EXPECT_EQ(ce.max_surplus, 10.0);  // (10 - 3) + (8 - 5)
  // The order of the lists does not matter.
  auto shuffled = ms::markets::competitive_equilibrium(std::vector<double>{4, 10, 6, 8}, std::vector<double>{9, 5, 3, 7});
  EXPECT_EQ(shuffled.quantity, 2u);
  EXPECT_EQ(shuffled.price_low, 6.0);
  EXPECT_EQ(shuffled.price_high, 7.0);
  // No gains from trade: nothing trades, any price in [v(1), c(1)] clears.
  ce = ms::markets::competitive_equilibrium(std::vector<double>{2}, std::vector<double>{5});
  EXPECT_EQ(ce.quantity, 0u);
  EXPECT_EQ(ce.price_low, 2.0);
  EXPECT_EQ(ce.price_high, 5.0);
  EXPECT_EQ(ce.max_surplus, 0.0);
  // Sellers run out: the price is bounded by the first excluded buyer and the marginal buyer.
  ce = ms::markets::competitive_equilibrium(std::vector<double>{10, 9, 8}, std::vector<double>{1});
  EXPECT_EQ(ce.quantity, 1u);
  EXPECT_EQ(ce.price_low, 9.0);
  EXPECT_EQ(ce.price_high, 10.0);
  EXPECT_EQ(ce.max_surplus, 9.0);
  // Everything trades: [c(q*), v(q*)].
  ce = ms::markets::competitive_equilibrium(std::vector<double>{10, 9}, std::vector<double>{1, 2});
  EXPECT_EQ(ce.quantity, 2u);
  EXPECT_EQ(ce.price_low, 2.0);
  EXPECT_EQ(ce.price_high, 9.0);
  EXPECT_EQ(ce.max_surplus, 16.0);
  // A marginal unit with zero surplus is in the competitive quantity; the price is unique.
  ce = ms::markets::competitive_equilibrium(std::vector<double>{7, 5}, std::vector<double>{3, 5});
  EXPECT_EQ(ce.quantity, 2u);
  EXPECT_EQ(ce.price_low, 5.0);
  EXPECT_EQ(ce.price_high, 5.0);
  EXPECT_EQ(ce.max_surplus, 4.0);
  // The scenario's symmetric market: 12 units at [100, 101], surplus 652 (docs).
  std::vector<double> v = {170, 160, 150, 140, 130, 125, 120, 115, 110, 107, 104, 101, 98, 95, 92, 89, 86, 83}, c;
  for (double x : v) c.push_back(201 - x);
  ce = ms::markets::competitive_equilibrium(v, c);
  EXPECT_EQ(ce.quantity, 12u);
  EXPECT_EQ(ce.price_low, 100.0);
  EXPECT_EQ(ce.price_high, 101.0);
  EXPECT_EQ(ce.max_surplus, 652.0);
}

TEST(CompetitiveEquilibrium, BadSchedulesGetClearErrors) {
  const std::vector<double> none, one = {1.0}, bad = {1.0, std::nan("")};
  EXPECT_TRUE(contains(error_of([&] { ms::markets::competitive_equilibrium(none, one); }), "buyers' values list is empty"));
  EXPECT_TRUE(contains(error_of([&] { ms::markets::competitive_equilibrium(one, none); }), "sellers' costs list is empty"));
  EXPECT_TRUE(contains(error_of([&] { ms::markets::competitive_equilibrium(one, bad); }), "sellers' costs 1 is nan"));
}

TEST(ZiTraders, UnitsAreDealtRoundRobinOrInBlocks) {
  const std::vector<double> values = {9, 8, 7, 6, 5};
  UnitSchedules rr(values, 2, UnitAssignment::round_robin, Side::buy, "v");
  EXPECT_EQ(std::vector<double>(rr.schedule(0).begin(), rr.schedule(0).end()), (std::vector<double>{9, 7, 5}));
  EXPECT_EQ(std::vector<double>(rr.schedule(1).begin(), rr.schedule(1).end()), (std::vector<double>{8, 6}));
  UnitSchedules blocks(values, 2, UnitAssignment::blocks, Side::buy, "v");
  EXPECT_EQ(std::vector<double>(blocks.schedule(0).begin(), blocks.schedule(0).end()), (std::vector<double>{9, 8, 7}));
  EXPECT_EQ(std::vector<double>(blocks.schedule(1).begin(), blocks.schedule(1).end()), (std::vector<double>{6, 5}));
  // Units are traded in schedule order, and restored for a new period.
  EXPECT_EQ(rr.current_limit(1), 8.0);
  rr.consume(1);
  EXPECT_EQ(rr.current_limit(1), 6.0);
  EXPECT_EQ(rr.current_unit(1), 4u);  // trader 1's units are entries 3 and 4 of all()
  rr.consume(1);
  EXPECT_FALSE(rr.has_unit(1));
  EXPECT_TRUE(contains(error_of([&] { rr.consume(1); }), "trader 1 has no unit left"));
  rr.restore();
  EXPECT_EQ(rr.current_limit(1), 8.0);
  EXPECT_TRUE(rr.has_unit(1));
}

TEST(ZiTraders, BadSchedulesGetClearErrors) {
  const std::vector<double> none, rising = {5, 8}, falling = {8, 5}, two = {1, 2};
  EXPECT_TRUE(contains(error_of([&] { UnitSchedules(none, 1, UnitAssignment::blocks, Side::buy, "buyer_values"); }),
                       "buyer_values: 0 units cannot give each of the 1 buyers a unit"));
  EXPECT_TRUE(contains(error_of([&] { UnitSchedules(two, 3, UnitAssignment::blocks, Side::sell, "seller_costs"); }),
                       "2 units cannot give each of the 3 sellers a unit"));
  EXPECT_TRUE(contains(error_of([&] { UnitSchedules(two, 0, UnitAssignment::blocks, Side::sell, "seller_costs"); }),
                       "at least one seller"));
  EXPECT_TRUE(contains(error_of([&] { UnitSchedules(rising, 1, UnitAssignment::blocks, Side::buy, "buyer_values"); }),
                       "buyer_values: buyer 0's unit 1 (8) is worth more than its unit 0 (5)"));
  EXPECT_TRUE(contains(error_of([&] { UnitSchedules(falling, 1, UnitAssignment::blocks, Side::sell, "seller_costs"); }),
                       "seller 0's unit 1 (5) costs less than its unit 0 (8)"));
  // Dealt round robin to two traders, the same lists are fine (one unit each).
  EXPECT_EQ(error_of([&] { UnitSchedules(rising, 2, UnitAssignment::round_robin, Side::buy, "v"); }), "");
  const std::vector<double> nan = {std::nan("")};
  EXPECT_TRUE(contains(error_of([&] { UnitSchedules(nan, 1, UnitAssignment::blocks, Side::buy, "v"); }), "not a finite number"));
}

TEST(ZiTraders, PricesAreUniformOnTheRulesInterval) {
  const PriceBounds bounds{1, 200};
  ms::Stream s(7, 3);
  const int n = 20000;
  struct Case {
    ZiRule rule;
    Side side;
    double limit, lo, hi;
  };
  for (const Case& c : {Case{ZiRule::constrained, Side::buy, 120, 1, 120}, Case{ZiRule::constrained, Side::sell, 80, 80, 200},
                        Case{ZiRule::unconstrained, Side::buy, 120, 1, 200}, Case{ZiRule::unconstrained, Side::sell, 80, 1, 200}}) {
    double sum = 0, low = 1e9, high = -1e9;
    for (int k = 0; k < n; ++k) {
      const double p = ms::agents::zi_price(c.rule, c.side, c.limit, bounds, s);
      sum += p;
      low = std::min(low, p);
      high = std::max(high, p);
    }
    EXPECT_GE(low, c.lo);
    EXPECT_LE(high, c.hi);
    // Mean of a uniform: (lo + hi) / 2 within 4 standard errors; the extremes near the ends.
    const double width = c.hi - c.lo;
    EXPECT_NEAR(sum / n, (c.lo + c.hi) / 2, 4 * width / std::sqrt(12.0 * n));
    EXPECT_LT(low, c.lo + 0.01 * width);
    EXPECT_GT(high, c.hi - 0.01 * width);
  }
  // A seller whose cost is the top price can only ask the top price.
  EXPECT_EQ(ms::agents::zi_price(ZiRule::constrained, Side::sell, 200, bounds, s), 200.0);
  EXPECT_EQ(ms::agents::zi_price(ZiRule::constrained, Side::buy, 1, bounds, s), 1.0);
  EXPECT_TRUE(contains(error_of([&] { ms::agents::zi_price(ZiRule::constrained, Side::buy, 250, bounds, s); }),
                       "a value of 250 lies outside the price bounds [1, 200]"));
}

TEST(ZiTraders, OnlyTradersHoldingUnitsArePicked) {
  const std::vector<double> values = {100, 90, 80}, costs = {10, 20};
  ZiTraders zi(UnitSchedules(values, 2, UnitAssignment::round_robin, Side::buy, "v"),
               UnitSchedules(costs, 1, UnitAssignment::blocks, Side::sell, "c"), ZiRule::constrained, {1, 200});
  ASSERT_EQ(zi.size(), 3u);  // buyers 0, 1; seller 2
  EXPECT_EQ(zi.side(1), Side::buy);
  EXPECT_EQ(zi.side(2), Side::sell);
  EXPECT_EQ(zi.limit(0), 100.0);
  EXPECT_EQ(zi.limit(1), 90.0);
  EXPECT_EQ(zi.limit(2), 10.0);
  zi.traded(1);  // buyer 1 had one unit
  EXPECT_FALSE(zi.holds_unit(1));
  EXPECT_EQ(zi.active(), 2u);
  EXPECT_EQ(zi.active_buyers(), 1u);
  ms::Stream s(1, 9);
  for (int k = 0; k < 200; ++k) EXPECT_NE(zi.pick(s), 1u);
  zi.traded(2);
  EXPECT_EQ(zi.limit(2), 20.0);
  zi.traded(2);
  EXPECT_EQ(zi.active_sellers(), 0u);
  zi.traded(0);
  zi.traded(0);
  EXPECT_EQ(zi.active(), 0u);
  EXPECT_TRUE(contains(error_of([&] { zi.pick(s); }), "no trader holds a unit"));
  zi.restore();
  EXPECT_EQ(zi.active(), 3u);
  EXPECT_EQ(zi.limit(0), 100.0);
  // Every trader gets picked, about equally often.
  std::vector<int> count(3, 0);
  for (int k = 0; k < 3000; ++k) ++count[zi.pick(s)];
  for (int c : count) EXPECT_NEAR(c, 1000, 120);
}

TEST(ZiTraders, ValuesOutsideThePriceBoundsAreRejected) {
  const std::vector<double> values = {250}, costs = {10};
  EXPECT_TRUE(contains(error_of([&] {
                         ZiTraders(UnitSchedules(values, 1, UnitAssignment::blocks, Side::buy, "v"),
                                   UnitSchedules(costs, 1, UnitAssignment::blocks, Side::sell, "c"), ZiRule::constrained, {1, 200});
                       }),
                       "a buyer's value of 250 lies outside the price bounds [1, 200]"));
  EXPECT_TRUE(contains(error_of([&] {
                         ZiTraders(UnitSchedules(costs, 1, UnitAssignment::blocks, Side::buy, "v"),
                                   UnitSchedules(costs, 1, UnitAssignment::blocks, Side::sell, "c"), ZiRule::constrained, {5, 5});
                       }),
                       "min < max"));
}
