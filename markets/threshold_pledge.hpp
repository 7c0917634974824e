#pragma once
// Threshold pledges (assurance contracts): "I will if you will". Rules, accounting and
// tests: docs/mechanisms.md#threshold-pledges.
//
// Agents pledge amounts (integer cents, >= 0; an agent with a positive pledge is a
// pledger). The contract forms iff the threshold is reached: the number of pledgers
// (mode `count`, the "I will if you will" and Kickstarter-backer form) or the sum of
// the pledges (mode `sum`, the money-back guarantee of an assurance contract; Bagnoli
// and Lipman 1989) is at least `threshold`. If it forms, every pledge is collected in
// full (no rebate of an excess over the threshold). If it fails, every pledge is
// refunded in full and, in a dominant assurance contract (Tabarrok 1998), the organiser
// pays each pledger a bonus: a fixed amount (`per_pledger`) or a share of its pledge
// (`proportional`, in parts per million, rounded down to the cent, as in the refund
// bonus of Cason, Tabarrok and Zubrickas 2021). Threshold 0 is the voluntary-
// contribution mechanism: it always forms, nothing is refunded. Money is integer cents,
// so the accounting is exact: collected + refunded = pledged, and the organiser's cost
// is the sum of the bonuses.
//
// Arrival: `sealed` pledges are simply an array filled without seeing the others, then
// settled. `live` pledges arrive one at a time in a given order (a random one from
// arrival_order) and each sees the running total and count before deciding:
// pledge_live calls the caller's rule once per arrival.
//
// Bad arguments (negative threshold, bonus or pledge; totals beyond 64 bits; an
// arrival order naming an agent twice or out of range) throw marketsim::Error.
#include <cstdint>
#include <span>
#include <vector>

namespace marketsim::pledges {

enum class Threshold { count, sum };
enum class Bonus { none, per_pledger, proportional };

struct Rule {
  Threshold mode = Threshold::sum;
  std::int64_t threshold = 0;     // pledgers (count) or cents (sum)
  Bonus bonus = Bonus::none;      // paid to each pledger on failure only
  std::int64_t bonus_amount = 0;  // cents per pledger, or parts per million of the pledge
  void validate() const;          // throws on a negative threshold or bonus_amount
};

// What an arriving pledger sees, and what is known once all have arrived.
struct State {
  std::int64_t total = 0;     // cents pledged so far
  std::int64_t pledgers = 0;  // agents with a positive pledge so far
  std::int64_t arrived = 0;   // agents who have decided so far (pledging or not)
  // Whether the threshold is met by this state, and what is still missing (0 when met).
  bool reached(const Rule& rule) const;
  std::int64_t missing(const Rule& rule) const;
};

struct Totals {
  bool formed = false;
  std::int64_t pledged = 0;    // sum of all pledges
  std::int64_t pledgers = 0;
  std::int64_t collected = 0;  // = pledged if formed, else 0
  std::int64_t refunded = 0;   // = pledged if failed, else 0
  std::int64_t bonuses = 0;    // paid by the organiser on failure
  std::int64_t organiser_cost() const { return bonuses; }  // refunds come from the pledges held
};

// Totals only (no per-agent arrays): O(n), no allocation.
Totals settle_totals(const Rule& rule, std::span<const std::int64_t> pledges);

// Totals plus, per agent (same index as pledges), what was collected, refunded and paid.
struct Settlement {
  Totals totals;
  std::vector<std::int64_t> collected, refunded, bonus;
};
Settlement settle(const Rule& rule, std::span<const std::int64_t> pledges);

// The bonus one pledge earns if the contract fails (0 for a zero pledge).
std::int64_t bonus_for(const Rule& rule, std::int64_t pledge);

// A uniform random arrival order of agents 0..n-1 for (seed, tag, round), the same at any
// thread count (Permuter, sim/shuffle.hpp).
std::vector<std::uint32_t> arrival_order(std::uint64_t seed, std::uint32_t tag, std::uint32_t round,
                                         std::uint32_t n);

namespace detail {
[[noreturn]] void bad_arrival(std::uint32_t agent, std::size_t agents);
void add_pledge(State& state, std::uint32_t agent, std::int64_t amount);  // checks amount >= 0, no overflow
}  // namespace detail

// Live arrival: for each agent in `order`, pledges[agent] = decide(agent, state), where
// `state` sums the pledges of those who arrived before it. Agents not in `order` keep
// their entry of `pledges` (and are not counted). Returns the final state; settle the
// array afterwards. decide: (std::uint32_t agent, const State&) -> std::int64_t cents.
template <class Decide>
State pledge_live(std::span<const std::uint32_t> order, std::span<std::int64_t> pledges, Decide&& decide) {
  State state;
  std::vector<bool> seen(pledges.size(), false);
  for (const std::uint32_t agent : order) {
    if (agent >= pledges.size() || seen[agent]) detail::bad_arrival(agent, pledges.size());
    seen[agent] = true;
    const std::int64_t amount = decide(agent, static_cast<const State&>(state));
    detail::add_pledge(state, agent, amount);
    pledges[agent] = amount;
  }
  return state;
}

}  // namespace marketsim::pledges
