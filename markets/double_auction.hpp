#pragma once
// Continuous double auction: an order book for one good, bids and asks arriving one at a
// time, every trade reported (time, price, quantity, buyer, seller, orders).
//
// Rules common to both modes
//   * An order is a limit order (side, trader, price, quantity). Prices are finite and
//     non-negative; quantities are whole units >= 1. Bad input throws marketsim::Error.
//   * An incoming order trades at once with the standing orders of the other side that
//     it crosses (a bid crosses an ask when bid >= ask), best price first, and among
//     orders at one price the earliest first (price-time priority). Each trade is at the
//     STANDING order's price (the earlier of the two). What is left of the incoming
//     order then stands in the book.
//   * Time priority is arrival order at the book; the `time` passed with an order is a
//     label copied into its trades (e.g. the step of a trading period).
//   * No self-trade prevention: a trader's bid may meet its own ask.
//
// AuctionRules::price_time (general): a full book. Every order stands until it is
// filled or cancelled (cancel by id); orders may be for several units and fill
// partially.
//
// AuctionRules::gode_sunder: the rules of Gode and Sunder's (1993) experiment, read as
//   (1) every order is for one unit (quantity must be 1);
//   (2) only the best bid and the best ask stand: a new bid must be strictly higher than
//       the standing bid, a new ask strictly lower than the standing ask, else it is
//       rejected (nothing changes); an accepted bid that does not trade replaces the
//       standing bid, an ask the standing ask;
//   (3) a bid at or above the standing ask trades at the ask's price, an ask at or below
//       the standing bid at the bid's price (the earlier order's price);
//   (4) a trade cancels every unaccepted order: after each trade the book is empty.
// Since the standing bid is always below the standing ask, a crossing order always
// passes the improvement test of rule (2). Details: docs/models/zi_double_auction.md.
//
// Implementation: arrays, no allocation per order in the steady state. Orders live in a
// pool (structure of arrays) with a free list; each price level is a FIFO doubly linked
// through the pool; the levels of each side sit in a vector sorted so that the best
// price is at the back, found by a branchless binary search. Adding or removing a level
// moves the levels better than it (16 bytes each): cheap for order flow near the top of
// the book, O(levels) for prices spread over a wide book. An order
// id encodes its pool slot and the slot's generation (odd while the slot holds an
// order), so cancelling a filled or already cancelled order is detected in O(1); ids
// repeat only after 2^31 reuses of one slot.
//
// competitive_equilibrium(): the benchmark of an induced-value market (Smith 1962):
// competitive quantity, the interval of market-clearing prices, and the maximum surplus.
//
// References: D. K. Gode and S. Sunder, "Allocative efficiency of markets with
// zero-intelligence traders", J. Political Economy 101(1), 119-137 (1993); V. L. Smith,
// "An experimental study of competitive market behavior", JPE 70(2), 111-137 (1962).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace marketsim::markets {

enum class Side : std::uint8_t { buy, sell };

enum class AuctionRules : std::uint8_t { price_time, gode_sunder };

// Opaque order handle; kNoOrder is never a real order.
using OrderId = std::uint64_t;
inline constexpr OrderId kNoOrder = 0;

struct Trade {
  double time = 0;            // the incoming order's time label
  double price = 0;           // the standing order's price
  std::int64_t quantity = 0;  // units
  std::uint32_t buyer = 0, seller = 0;
  OrderId buy_order = kNoOrder, sell_order = kNoOrder;
  Side incoming = Side::buy;  // the side of the order that arrived and crossed
};

// What became of a submitted order.
struct OrderResult {
  OrderId id = kNoOrder;     // the order's id (in its trades; cancel it with this while it stands)
  std::int64_t filled = 0;   // units traded on arrival
  std::int64_t resting = 0;  // units left standing in the book
  bool rejected = false;     // gode_sunder: it did not improve the standing quote (id = kNoOrder)
};

class DoubleAuction {
 public:
  explicit DoubleAuction(AuctionRules rules = AuctionRules::price_time);

  AuctionRules rules() const { return rules_; }

  // Submits a limit order; trades are appended to trades().
  OrderResult submit(Side side, std::uint32_t trader, double price, std::int64_t quantity = 1, double time = 0);

  // Removes a standing order; false if it is no longer standing (filled, cancelled).
  bool cancel(OrderId id);

  // Cancels every standing order (the trade log is kept).
  void clear();

  std::optional<double> best_bid() const;
  std::optional<double> best_ask() const;
  // Standing units at one price on one side (0 if there is no such level).
  std::int64_t units_at(Side side, double price) const;
  // The standing orders at one price, in time priority (earliest first).
  std::vector<OrderId> queue(Side side, double price) const;
  // Number of standing orders on one side, both sides.
  std::size_t standing(Side side) const;
  std::size_t standing() const { return standing(Side::buy) + standing(Side::sell); }
  // Remaining units of a standing order (0 if it no longer stands).
  std::int64_t remaining(OrderId id) const;

  const std::vector<Trade>& trades() const { return trades_; }
  void clear_trades() { trades_.clear(); }

 private:
  struct Level {  // 16 bytes: inserting or erasing a level moves the levels better than it
    double price;
    std::int32_t head, tail;  // pool slots; FIFO from head
  };

  std::int32_t allocate(Side side, std::uint32_t trader, double price, std::int64_t quantity);
  void release(std::int32_t slot);
  OrderId id_of(std::int32_t slot) const;
  std::int32_t slot_of(OrderId id) const;  // -1 unless the id names a live order
  std::vector<Level>& levels(Side side) { return side == Side::buy ? bids_ : asks_; }
  const std::vector<Level>& levels(Side side) const { return side == Side::buy ? bids_ : asks_; }
  const Level* find_level(Side side, double price) const;
  std::int64_t match(Side side, std::int32_t incoming, double price, std::int64_t quantity, double time);
  void rest(Side side, std::int32_t slot);
  void clear_side(Side side);

  AuctionRules rules_;
  // Order pool, structure of arrays, indexed by slot.
  std::vector<double> price_;
  std::vector<std::int64_t> quantity_;
  std::vector<std::uint32_t> trader_;
  std::vector<std::uint32_t> generation_;   // odd while the slot holds an order
  std::vector<std::int32_t> next_, prev_;  // within a level's FIFO; next_ also links the free list
  std::vector<Side> side_;
  std::int32_t free_ = -1;
  std::vector<Level> bids_;  // ascending price: best bid at the back
  std::vector<Level> asks_;  // descending price: best ask at the back
  std::size_t count_[2] = {0, 0};
  std::vector<Trade> trades_;
};

// Competitive equilibrium of an induced-value market: buyers' unit values and sellers'
// unit costs, each unit traded at most once. With values sorted descending
// v(1) >= v(2) >= ... and costs ascending c(1) <= c(2) <= ..., the competitive quantity is
// q* = max{q : v(q) >= c(q)} (0 if v(1) < c(1)); the market-clearing prices form
//   [max(c(q*), v(q*+1)), min(v(q*), c(q*+1))]
// (a missing c(0) or v(n+1) is -inf, a missing v(0) or c(n+1) is +inf), and the maximum
// total surplus is sum_{k<=q*} (v(k) - c(k)). price() reduces the interval to its
// midpoint. Empty or non-finite inputs throw marketsim::Error.
struct CompetitiveEquilibrium {
  std::size_t quantity = 0;
  double price_low = 0, price_high = 0;
  double max_surplus = 0;
  double price() const { return 0.5 * (price_low + price_high); }
};
CompetitiveEquilibrium competitive_equilibrium(std::span<const double> values, std::span<const double> costs);

}  // namespace marketsim::markets
