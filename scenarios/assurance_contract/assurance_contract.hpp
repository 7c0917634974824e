#pragma once
// assurance_contract: the rules of one campaign for a public good, in integer cents.
// Model page (equations, equilibria, tests): docs/models/assurance_contract.md.
//
// A good costs `cost`. Contributors pledge; the pledges are settled by the shared
// threshold-pledge mechanism (markets/threshold_pledge.hpp), which this file only
// configures:
//   voluntary           threshold 0 (nothing refunded); the good is provided iff the
//                       money collected reaches the cost, otherwise the organiser keeps it;
//   assurance           pledges refunded unless the threshold is met (Bagnoli and Lipman
//                       1989): a sum of money (the cost) or a count of backers, each of
//                       whom pledges price = ceil(cost / backers);
//   dominant_assurance  assurance plus a bonus to each pledger on failure (Tabarrok 1998;
//                       the proportional refund bonus of Cason, Tabarrok and Zubrickas 2021).
// Contributor i with value v_i gets u_i = v_i [provided] - collected_i + bonus_i.
//
// equilibrium_pledges is the complete-information equilibrium the scenario plays under
// behaviour = equilibrium (the selection rule is on the model page):
//   sum mode, V = sum v >= cost: cost shared in proportion to values, exactly (largest
//     remainders to the cent), every p_i <= v_i: a Bagnoli-Lipman profile;
//   count mode, at least `backers` contributors with v_i >= price: the `backers`
//     highest values pledge the price (ties to the lower index);
//   otherwise nobody pledges, except under dominant assurance, where the contract fails
//     anyway and pledgers collect the bonus: every contributor pledges its value (sum
//     mode), or the backers - 1 highest values pledge the price (count mode).
// Bad arguments throw marketsim::Error.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "markets/threshold_pledge.hpp"

namespace marketsim::assurance {

enum class Mechanism { voluntary, assurance, dominant_assurance };
Mechanism parse_mechanism(std::string_view name);  // Error naming the choices

struct Campaign {
  Mechanism mechanism = Mechanism::assurance;
  pledges::Threshold mode = pledges::Threshold::sum;
  std::int64_t cost = 0;     // cents, >= 1
  std::int64_t backers = 0;  // count mode: pledgers needed, >= 1
  pledges::Bonus bonus = pledges::Bonus::none;  // dominant_assurance only
  std::int64_t bonus_amount = 0;                // cents per pledger, or parts per million

  void validate() const;
  std::int64_t price() const;  // count mode: ceil(cost / backers); sum mode: 0 (any amount)
  std::int64_t goal() const;   // cents the campaign asks for: cost, or backers * price
  pledges::Rule rule() const;  // the settlement rule of the mechanism
  // What is still missing after `state` (cents in sum mode, backers in count mode).
  std::int64_t missing(const pledges::State& state) const;
};

struct Result {
  pledges::Settlement settlement;
  bool provided = false;
};
Result settle(const Campaign& campaign, std::span<const std::int64_t> pledges);

// out[i] = u_i in cents.
void payoffs(const Campaign& campaign, const Result& result, std::span<const std::int64_t> values,
             std::span<std::int64_t> out);
// u_agent when the others keep `pledges` and the agent pledges `pledge` instead.
std::int64_t payoff_if(const Campaign& campaign, std::span<const std::int64_t> values,
                       std::span<const std::int64_t> pledges, std::size_t agent, std::int64_t pledge);

// The most `agent` gains by pledging any of `alternatives` instead (<= 0: no profitable
// deviation among them).
std::int64_t deviation_gain(const Campaign& campaign, std::span<const std::int64_t> values,
                            std::span<const std::int64_t> pledges, std::size_t agent,
                            std::span<const std::int64_t> alternatives);

std::vector<std::int64_t> equilibrium_pledges(const Campaign& campaign, std::span<const std::int64_t> values);

// Live arrival under complete information: the pledge of an agent with value `value`
// who sees `state` when the values of those still to arrive (itself included) sum to
// `value_to_come` (sum mode) or count `eligible_to_come` contributors with v >= price
// (count mode). Sum mode pays ceil(missing * v / value_to_come), so the pledges meet the
// cost exactly; count mode pledges the price while backers are missing and enough
// eligible contributors remain. Only for campaigns equilibrium_pledges can provide.
std::int64_t live_equilibrium_pledge(const Campaign& campaign, const pledges::State& state, std::int64_t value,
                                     std::int64_t value_to_come, std::int64_t eligible_to_come);

}  // namespace marketsim::assurance
