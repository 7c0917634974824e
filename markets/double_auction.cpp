#include "markets/double_auction.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <limits>

#include "sim/error.hpp"

namespace marketsim::markets {
namespace {

Side other(Side s) { return s == Side::buy ? Side::sell : Side::buy; }

// Does an order on `side` at `price` cross a standing order of the other side at `standing`?
bool crosses(Side side, double price, double standing) { return side == Side::buy ? price >= standing : price <= standing; }

// Index of the level at `price` in one side's levels, or where it would be inserted.
// Bids ascend and asks descend, so the best price of either side is at the back. A
// branchless lower bound (conditional moves, no mispredicted branches): the prices of
// a ZI order flow land anywhere in the book.
std::size_t level_position(const auto& levels, Side side, double price) {
  std::size_t n = levels.size();
  if (n == 0) return 0;
  const bool ascending = side == Side::buy;
  auto before = [&](std::size_t k) { return ascending ? levels[k].price < price : levels[k].price > price; };
  std::size_t base = 0;
  while (n > 1) {
    const std::size_t half = n / 2;
    base = before(base + half) ? base + half : base;
    n -= half;
  }
  return base + (before(base) ? 1 : 0);
}

}  // namespace

DoubleAuction::DoubleAuction(AuctionRules rules) : rules_(rules) {}

OrderId DoubleAuction::id_of(std::int32_t slot) const {
  return (static_cast<OrderId>(generation_[slot]) << 32) | static_cast<std::uint32_t>(slot + 1);
}

std::int32_t DoubleAuction::slot_of(OrderId id) const {
  const auto low = static_cast<std::uint32_t>(id);
  const auto generation = static_cast<std::uint32_t>(id >> 32);
  if (low == 0 || low > generation_.size()) return -1;
  const auto slot = static_cast<std::int32_t>(low - 1);
  return generation_[slot] == generation && (generation & 1u) ? slot : -1;
}

std::int32_t DoubleAuction::allocate(Side side, std::uint32_t trader, double price, std::int64_t quantity) {
  std::int32_t slot = free_;
  if (slot >= 0) {
    free_ = next_[slot];
  } else {
    slot = static_cast<std::int32_t>(price_.size());
    price_.push_back(0);
    quantity_.push_back(0);
    trader_.push_back(0);
    generation_.push_back(0);
    next_.push_back(-1);
    prev_.push_back(-1);
    side_.push_back(side);
  }
  price_[slot] = price;
  quantity_[slot] = quantity;
  trader_[slot] = trader;
  side_[slot] = side;
  next_[slot] = prev_[slot] = -1;
  ++generation_[slot];  // odd: live
  return slot;
}

void DoubleAuction::release(std::int32_t slot) {
  ++generation_[slot];  // even: free; the old id no longer matches
  next_[slot] = free_;
  free_ = slot;
}

const DoubleAuction::Level* DoubleAuction::find_level(Side side, double price) const {
  const auto& book = levels(side);
  const std::size_t k = level_position(book, side, price);
  return k < book.size() && book[k].price == price ? &book[k] : nullptr;
}

std::int64_t DoubleAuction::match(Side side, std::int32_t incoming, double price, std::int64_t quantity, double time) {
  const Side opposite = other(side);
  auto& book = levels(opposite);
  std::int64_t left = quantity;
  while (left > 0 && !book.empty() && crosses(side, price, book.back().price)) {
    Level& level = book.back();
    const std::int32_t slot = level.head;
    const std::int64_t fill = std::min(left, quantity_[slot]);
    Trade t;
    t.time = time;
    t.price = level.price;
    t.quantity = fill;
    t.incoming = side;
    const bool buying = side == Side::buy;
    t.buyer = trader_[buying ? incoming : slot];
    t.seller = trader_[buying ? slot : incoming];
    t.buy_order = id_of(buying ? incoming : slot);
    t.sell_order = id_of(buying ? slot : incoming);
    trades_.push_back(t);
    left -= fill;
    quantity_[slot] -= fill;
    if (quantity_[slot] == 0) {
      level.head = next_[slot];
      if (level.head >= 0) prev_[level.head] = -1;
      release(slot);
      --count_[static_cast<int>(opposite)];
      if (level.head < 0) book.pop_back();
    }
  }
  return quantity - left;
}

void DoubleAuction::rest(Side side, std::int32_t slot) {
  auto& book = levels(side);
  const double price = price_[slot];
  const std::size_t k = level_position(book, side, price);
  if (k == book.size() || book[k].price != price)
    book.insert(book.begin() + static_cast<std::ptrdiff_t>(k), Level{price, -1, -1});
  Level& level = book[k];
  prev_[slot] = level.tail;
  next_[slot] = -1;
  if (level.tail >= 0) next_[level.tail] = slot;
  else level.head = slot;
  level.tail = slot;
  ++count_[static_cast<int>(side)];
}

OrderResult DoubleAuction::submit(Side side, std::uint32_t trader, double price, std::int64_t quantity, double time) {
  if (!std::isfinite(price) || price < 0)
    throw Error(fmt::format("double auction: an order's price must be finite and non-negative, got {}", price));
  if (quantity < 1) throw Error(fmt::format("double auction: an order's quantity must be at least 1 unit, got {}", quantity));
  const bool gode_sunder = rules_ == AuctionRules::gode_sunder;
  if (gode_sunder) {
    if (quantity != 1)
      throw Error(fmt::format("double auction (gode_sunder rules): every order is for one unit, got quantity {}", quantity));
    const auto& own = levels(side);
    // Improvement rule: a bid must beat the standing bid, an ask the standing ask.
    if (!own.empty() && !(side == Side::buy ? price > own.back().price : price < own.back().price))
      return OrderResult{kNoOrder, 0, 0, true};
  }
  const std::int32_t slot = allocate(side, trader, price, quantity);
  const OrderId id = id_of(slot);
  const std::int64_t filled = match(side, slot, price, quantity, time);
  const std::int64_t left = quantity - filled;
  if (left == 0) {
    release(slot);
    if (gode_sunder) clear();  // a trade cancels every unaccepted order
    return OrderResult{id, filled, 0, false};
  }
  if (gode_sunder) clear_side(side);  // the new quote replaces the standing one
  quantity_[slot] = left;
  rest(side, slot);
  return OrderResult{id, filled, left, false};
}

bool DoubleAuction::cancel(OrderId id) {
  const std::int32_t slot = slot_of(id);
  if (slot < 0) return false;
  const Side side = side_[slot];
  auto& book = levels(side);
  const std::size_t k = level_position(book, side, price_[slot]);
  Level& level = book[k];
  const std::int32_t before = prev_[slot], after = next_[slot];
  if (before >= 0) next_[before] = after;
  else level.head = after;
  if (after >= 0) prev_[after] = before;
  else level.tail = before;
  if (level.head < 0) book.erase(book.begin() + static_cast<std::ptrdiff_t>(k));
  release(slot);
  --count_[static_cast<int>(side)];
  return true;
}

void DoubleAuction::clear_side(Side side) {
  auto& book = levels(side);
  for (const Level& level : book) {
    for (std::int32_t slot = level.head; slot >= 0;) {
      const std::int32_t after = next_[slot];
      release(slot);
      slot = after;
    }
  }
  book.clear();
  count_[static_cast<int>(side)] = 0;
}

void DoubleAuction::clear() {
  clear_side(Side::buy);
  clear_side(Side::sell);
}

std::optional<double> DoubleAuction::best_bid() const {
  return bids_.empty() ? std::nullopt : std::optional<double>(bids_.back().price);
}

std::optional<double> DoubleAuction::best_ask() const {
  return asks_.empty() ? std::nullopt : std::optional<double>(asks_.back().price);
}

std::int64_t DoubleAuction::units_at(Side side, double price) const {
  std::int64_t units = 0;
  if (const Level* level = find_level(side, price))
    for (std::int32_t slot = level->head; slot >= 0; slot = next_[slot]) units += quantity_[slot];
  return units;
}

std::vector<OrderId> DoubleAuction::queue(Side side, double price) const {
  std::vector<OrderId> ids;
  if (const Level* level = find_level(side, price))
    for (std::int32_t slot = level->head; slot >= 0; slot = next_[slot]) ids.push_back(id_of(slot));
  return ids;
}

std::size_t DoubleAuction::standing(Side side) const { return count_[static_cast<int>(side)]; }

std::int64_t DoubleAuction::remaining(OrderId id) const {
  const std::int32_t slot = slot_of(id);
  return slot < 0 ? 0 : quantity_[slot];
}

CompetitiveEquilibrium competitive_equilibrium(std::span<const double> values, std::span<const double> costs) {
  auto check = [](std::span<const double> xs, const char* what) {
    if (xs.empty()) throw Error(fmt::format("competitive equilibrium: the {} list is empty (at least one unit needed)", what));
    for (std::size_t k = 0; k < xs.size(); ++k)
      if (!std::isfinite(xs[k])) throw Error(fmt::format("competitive equilibrium: {} {} is {}, not a finite number", what, k, xs[k]));
  };
  check(values, "buyers' values");
  check(costs, "sellers' costs");
  std::vector<double> v(values.begin(), values.end()), c(costs.begin(), costs.end());
  std::sort(v.begin(), v.end(), std::greater<>());
  std::sort(c.begin(), c.end());
  CompetitiveEquilibrium ce;
  std::size_t q = 0;
  while (q < v.size() && q < c.size() && v[q] >= c[q]) {
    ce.max_surplus += v[q] - c[q];
    ++q;
  }
  constexpr double inf = std::numeric_limits<double>::infinity();
  const double marginal_cost = q > 0 ? c[q - 1] : -inf, marginal_value = q > 0 ? v[q - 1] : inf;
  const double next_value = q < v.size() ? v[q] : -inf, next_cost = q < c.size() ? c[q] : inf;
  ce.quantity = q;
  ce.price_low = std::max(marginal_cost, next_value);
  ce.price_high = std::min(marginal_value, next_cost);
  return ce;
}

}  // namespace marketsim::markets
