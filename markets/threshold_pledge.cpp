#include "markets/threshold_pledge.hpp"

#include <fmt/format.h>

#include "sim/error.hpp"
#include "sim/shuffle.hpp"

namespace marketsim::pledges {
namespace {

constexpr std::int64_t kPartsPerMillion = 1'000'000;

void add_checked(std::int64_t& sum, std::int64_t x, const char* what) {
  if (__builtin_add_overflow(sum, x, &sum)) throw Error(fmt::format("pledges: {} overflows 64-bit cents", what));
}

}  // namespace

void Rule::validate() const {
  if (threshold < 0)
    throw Error(fmt::format("pledges: threshold must be >= 0 ({}), got {}",
                            mode == Threshold::count ? "pledgers" : "cents", threshold));
  if (bonus_amount < 0)
    throw Error(fmt::format("pledges: bonus_amount must be >= 0 ({}), got {}",
                            bonus == Bonus::proportional ? "parts per million of the pledge" : "cents per pledger",
                            bonus_amount));
}

bool State::reached(const Rule& rule) const { return missing(rule) == 0; }

std::int64_t State::missing(const Rule& rule) const {
  const std::int64_t have = rule.mode == Threshold::count ? pledgers : total;
  return have >= rule.threshold ? 0 : rule.threshold - have;
}

std::int64_t bonus_for(const Rule& rule, std::int64_t pledge) {
  if (pledge <= 0) return 0;
  switch (rule.bonus) {
    case Bonus::none: return 0;
    case Bonus::per_pledger: return rule.bonus_amount;
    case Bonus::proportional: {
      // floor(pledge * ppm / 10^6) in 128 bits: exact, never more than the stated rate.
      const __int128 b = static_cast<__int128>(pledge) * rule.bonus_amount / kPartsPerMillion;
      if (b > INT64_MAX) throw Error("pledges: a proportional bonus overflows 64-bit cents");
      return static_cast<std::int64_t>(b);
    }
  }
  return 0;
}

Totals settle_totals(const Rule& rule, std::span<const std::int64_t> pledges) {
  rule.validate();
  State state;
  for (std::size_t i = 0; i < pledges.size(); ++i) detail::add_pledge(state, static_cast<std::uint32_t>(i), pledges[i]);
  Totals t;
  t.pledged = state.total;
  t.pledgers = state.pledgers;
  t.formed = state.reached(rule);
  if (t.formed) {
    t.collected = t.pledged;
  } else {
    t.refunded = t.pledged;
    if (rule.bonus != Bonus::none)
      for (const auto p : pledges) add_checked(t.bonuses, bonus_for(rule, p), "the bonus total");
  }
  return t;
}

Settlement settle(const Rule& rule, std::span<const std::int64_t> pledges) {
  Settlement s;
  s.totals = settle_totals(rule, pledges);
  const std::size_t n = pledges.size();
  s.collected.assign(n, 0);
  s.refunded.assign(n, 0);
  s.bonus.assign(n, 0);
  auto& to = s.totals.formed ? s.collected : s.refunded;  // each pledge goes one way, whole
  for (std::size_t i = 0; i < n; ++i) to[i] = pledges[i];
  if (!s.totals.formed && rule.bonus != Bonus::none)
    for (std::size_t i = 0; i < n; ++i) s.bonus[i] = bonus_for(rule, pledges[i]);
  return s;
}

std::vector<std::uint32_t> arrival_order(std::uint64_t seed, std::uint32_t tag, std::uint32_t round,
                                         std::uint32_t n) {
  std::vector<std::uint32_t> order;
  Permuter().permute(seed, tag, round, n, order);
  return order;
}

namespace detail {

void bad_arrival(std::uint32_t agent, std::size_t agents) {
  if (agent >= agents)
    throw Error(fmt::format("pledges: arrival order names agent {}, but there are only {} agents", agent, agents));
  throw Error(fmt::format("pledges: arrival order names agent {} twice", agent));
}

void add_pledge(State& state, std::uint32_t agent, std::int64_t amount) {
  if (amount < 0) throw Error(fmt::format("pledges: agent {} pledged {} cents; pledges must be >= 0", agent, amount));
  add_checked(state.total, amount, "the total pledged");
  state.pledgers += amount > 0;
  ++state.arrived;
}

}  // namespace detail
}  // namespace marketsim::pledges
