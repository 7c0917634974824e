#pragma once
// Zero-intelligence traders (Gode and Sunder 1993) and the unit schedules they trade.
//
// Unit schedules (induced values, Smith 1962). Each buyer holds the right to buy a few
// units, each with a redemption value; each seller holds a few units, each with a cost.
// A trader trades its units strictly in schedule order: the next unit traded is the
// next one in its schedule. Buyers' values must not rise along a schedule and sellers'
// costs must not fall (diminishing marginal value, rising marginal cost), so the units
// any efficient allocation trades are always the first ones of each schedule.
// UnitSchedules deals a list of units to traders:
//   round_robin: unit k of the list goes to trader k mod n (dealt like cards), so a
//                sorted list gives every trader a spread of high and low units;
//   blocks:      trader i holds a run of consecutive list entries; the first
//                (units mod n) traders hold one unit more than the others.
//
// ZI rules, for price bounds [price_min, price_max] (Gode and Sunder: [1, 200]):
//   ZI-U (unconstrained): every bid and ask is uniform on [price_min, price_max],
//        whatever the trader's value or cost, so ZI-U traders can trade at a loss;
//   ZI-C (constrained): a buyer bids uniform on [price_min, v], v the value of its
//        current unit; a seller asks uniform on [c, price_max], c the cost of its current
//        unit. A ZI-C trader never trades at a loss.
// Traders have no memory and do not learn. Each price is one Boost.Random
// uniform_real_distribution draw (a degenerate interval gives its single point).
//
// ZiTraders holds a whole market's traders as arrays: traders 0..B-1 are the buyers,
// B..B+S-1 the sellers. An order arrival picks one trader uniformly among those that
// still hold a unit (pick), which quotes a price for its current unit (quote); after a
// trade the trader moves on to its next unit (traded); restore() gives every trader its
// units back (a new trading period).
//
// References: D. K. Gode and S. Sunder, JPE 101(1), 119-137 (1993); V. L. Smith, JPE
// 70(2), 111-137 (1962).
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "markets/double_auction.hpp"
#include "sim/random.hpp"

namespace marketsim::agents {

enum class UnitAssignment { round_robin, blocks };

// The unit schedules of one side's traders, with each trader's next untraded unit.
class UnitSchedules {
 public:
  UnitSchedules() = default;
  // Deals `units` (in list order) to `traders` traders. Buyers' schedules must be
  // non-increasing, sellers' non-decreasing; every trader must get at least one unit;
  // units must be finite. Errors name `what` (e.g. the parameter "buyer_values").
  UnitSchedules(std::span<const double> units, std::uint32_t traders, UnitAssignment how, markets::Side side,
                std::string_view what);

  std::uint32_t traders() const { return static_cast<std::uint32_t>(next_.size()); }
  std::size_t units() const { return limit_.size(); }
  // Every unit, trader by trader in schedule order; unit indices below refer to this.
  std::span<const double> all() const { return limit_; }
  std::span<const double> schedule(std::uint32_t trader) const;

  bool has_unit(std::uint32_t trader) const { return next_[trader] < first_[trader + 1]; }
  std::uint32_t current_unit(std::uint32_t trader) const { return next_[trader]; }
  double current_limit(std::uint32_t trader) const { return limit_[next_[trader]]; }
  void consume(std::uint32_t trader);  // its current unit was traded; Error if it had none
  void restore();                      // every trader holds all its units again

 private:
  std::vector<double> limit_;         // values or costs, trader by trader
  std::vector<std::uint32_t> first_;  // trader i holds units first_[i] .. first_[i+1]-1
  std::vector<std::uint32_t> next_;   // its next untraded unit
};

enum class ZiRule { unconstrained, constrained };  // ZI-U, ZI-C

struct PriceBounds {
  double min = 1, max = 200;
};

// The price of a ZI trader's order for a unit with value or cost `limit` (one draw).
// Error if `limit` lies outside the bounds.
double zi_price(ZiRule rule, markets::Side side, double limit, PriceBounds bounds, Stream& s);

class ZiTraders {
 public:
  // Every value and cost must lie within the bounds, and bounds.min < bounds.max.
  ZiTraders(UnitSchedules buyers, UnitSchedules sellers, ZiRule rule, PriceBounds bounds);

  std::uint32_t size() const { return static_cast<std::uint32_t>(pos_.size()); }
  std::uint32_t n_buyers() const { return buyers_.traders(); }
  markets::Side side(std::uint32_t t) const { return t < n_buyers() ? markets::Side::buy : markets::Side::sell; }
  const UnitSchedules& buyers() const { return buyers_; }
  const UnitSchedules& sellers() const { return sellers_; }
  ZiRule rule() const { return rule_; }
  PriceBounds bounds() const { return bounds_; }

  // Traders still holding a unit, and how many of them are buyers / sellers.
  std::uint32_t active() const { return static_cast<std::uint32_t>(active_.size()); }
  std::uint32_t active_buyers() const { return active_buyers_; }
  std::uint32_t active_sellers() const { return active() - active_buyers_; }
  bool holds_unit(std::uint32_t t) const { return pos_[t] != kInactive; }

  // One trader uniformly among those holding a unit (one exact draw); Error if none.
  std::uint32_t pick(Stream& s) const;
  // Value (buyer) or cost (seller) of the trader's current unit, and that unit's index
  // in its side's UnitSchedules::all().
  double limit(std::uint32_t t) const;
  std::uint32_t unit(std::uint32_t t) const;
  // The price of the trader's next order under the rule.
  double quote(std::uint32_t t, Stream& s) const { return zi_price(rule_, side(t), limit(t), bounds_, s); }
  void traded(std::uint32_t t);  // its current unit was traded
  void restore();

 private:
  static constexpr std::uint32_t kInactive = 0xFFFFFFFFu;
  UnitSchedules& schedules(std::uint32_t t) { return t < n_buyers() ? buyers_ : sellers_; }
  const UnitSchedules& schedules(std::uint32_t t) const { return t < n_buyers() ? buyers_ : sellers_; }
  std::uint32_t local(std::uint32_t t) const { return t < n_buyers() ? t : t - n_buyers(); }

  UnitSchedules buyers_, sellers_;
  ZiRule rule_;
  PriceBounds bounds_;
  std::vector<std::uint32_t> active_;  // traders holding a unit, in no particular order
  std::vector<std::uint32_t> pos_;     // each trader's place in active_, or kInactive
  std::uint32_t active_buyers_ = 0;
};

}  // namespace marketsim::agents
