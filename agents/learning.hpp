#pragma once
// Learning rules for populations of agents over a discrete action grid 0..K-1, stored as
// agents x K arrays. Rules, equations and tests: docs/mechanisms.md#learning-rules.
//
// Roth-Erev reinforcement (Roth and Erev 1995; Erev and Roth 1998). Agent i holds
// propensities q_ij >= 0 and chooses action j with probability q_ij / sum_k q_ik
// (uniformly when all are zero). After playing k with reward R:
//   q_ij <- max(floor, (1 - phi) q_ij + E_j),  E_k = (1 - eps) R, and eps R spread over
//   the other actions: to the neighbours k-1 and k+1 (eps R / 2 each; all of it to the
//   one neighbour at an edge of the grid), the local experimentation of ordered
//   strategies in Roth and Erev 1995; or uniformly (eps R / (K-1) each), Erev and Roth
//   1998's form for unordered actions. With one action it gets all of R.
// phi = recency (forgetting), eps = experimentation, floor = Erev and Roth's nu.
//
// Fictitious play (Brown 1951; Robinson 1951; Fudenberg and Levine 1998, ch. 2). Agent
// i counts the outcomes it has observed on a grid 0..M-1 (the opponents' actions, or a
// binned payoff-relevant statistic such as a price), starting from `prior` per outcome;
// its belief is the empirical frequency. It plays a best response: the action with the
// highest expected payoff sum_m belief_m payoff(a, m) for a payoff function supplied by
// the caller; actions within a relative 1e-12 of the best are ties, broken uniformly
// by the agent's random stream.
//
// Randomness: one Stream per (agent, round) under the caller's tag, so a population's
// draws do not depend on the thread count. Batch calls run over agents with TBB in
// fixed blocks; each agent's update touches only its own row.
// Bad arguments (no agents, an empty action or outcome grid, phi or eps outside [0, 1],
// negative initial propensity, prior or floor, an action or outcome off the grid, a
// non-finite reward) throw marketsim::Error.
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cstdint>
#include <span>
#include <vector>

#include "sim/random.hpp"

namespace marketsim::learning {

enum class Spread { neighbours, uniform };

struct RothErevParams {
  double recency = 0.1;          // phi in [0, 1]
  double experimentation = 0.2;  // eps in [0, 1]
  double initial = 1.0;          // q_ij at the start, >= 0
  double floor = 0.0;            // nu >= 0: propensities never fall below it
  Spread spread = Spread::neighbours;
};

class RothErev {
 public:
  RothErev(std::size_t agents, std::size_t actions, const RothErevParams& params = {});

  std::size_t agents() const { return agents_; }
  std::size_t actions() const { return actions_; }
  const RothErevParams& params() const { return params_; }
  std::span<const double> propensities(std::size_t agent) const;
  void set_propensities(std::size_t agent, std::span<const double> q);  // each >= 0
  double probability(std::size_t agent, std::size_t action) const;

  // One draw from the agent's choice probabilities.
  std::uint32_t choose(std::size_t agent, Stream& stream) const;
  // Every agent draws, agent i from Stream(seed, tag, i, round).
  void choose_all(std::uint64_t seed, std::uint32_t tag, std::uint32_t round, std::span<std::uint32_t> out) const;

  void update(std::size_t agent, std::uint32_t action, double reward);
  // Agent i played actions[i] and earned rewards[i].
  void update_all(std::span<const std::uint32_t> actions, std::span<const double> rewards);

 private:
  void check_agent(std::size_t agent) const;
  std::size_t agents_, actions_;
  RothErevParams params_;
  std::vector<double> q_;  // agents x actions, row-major
};

// The index of the largest value, ties (within rel_tol of the largest magnitude) broken
// uniformly at random by `stream`. Throws on an empty span or a NaN.
std::uint32_t argmax_random_tie(std::span<const double> values, Stream& stream, double rel_tol = 1e-12);

class FictitiousPlay {
 public:
  FictitiousPlay(std::size_t agents, std::size_t actions, std::size_t outcomes, double prior = 1.0);

  std::size_t agents() const { return agents_; }
  std::size_t actions() const { return actions_; }
  std::size_t outcomes() const { return outcomes_; }
  std::span<const double> counts(std::size_t agent) const;
  double belief(std::size_t agent, std::size_t outcome) const;  // uniform when all counts are 0

  void observe(std::size_t agent, std::uint32_t outcome, double weight = 1.0);
  void observe_all(std::span<const std::uint32_t> outcomes);  // agent i observes outcomes[i]

  // Expected payoff of each action under the agent's belief; payoff(action, outcome).
  template <class Payoff>
  void expected_payoffs(std::size_t agent, Payoff&& payoff, std::span<double> out) const;

  // A best response to the agent's belief; ties broken by `stream`.
  template <class Payoff>
  std::uint32_t best_response(std::size_t agent, Payoff&& payoff, Stream& stream) const;

  // Every agent best-responds, agent i with payoff(i, action, outcome) (which must be safe
  // to call from several threads) and Stream(seed, tag, i, round).
  template <class Payoff>
  void best_responses(std::uint64_t seed, std::uint32_t tag, std::uint32_t round, Payoff&& payoff,
                      std::span<std::uint32_t> out) const;

 private:
  void check_agent(std::size_t agent) const;
  void check_out(std::size_t size, std::size_t expected) const;
  std::size_t agents_, actions_, outcomes_;
  std::vector<double> counts_;  // agents x outcomes
  std::vector<double> total_;   // per agent
};

// ---- templates ----------------------------------------------------------------------

template <class Payoff>
void FictitiousPlay::expected_payoffs(std::size_t agent, Payoff&& payoff, std::span<double> out) const {
  check_agent(agent);
  check_out(out.size(), actions_);
  const double* c = &counts_[agent * outcomes_];
  const double total = total_[agent];
  const bool uniform = !(total > 0);
  const double scale = uniform ? 1.0 / static_cast<double>(outcomes_) : 1.0 / total;
  for (std::size_t a = 0; a < actions_; ++a) {
    double sum = 0;
    for (std::size_t m = 0; m < outcomes_; ++m) {
      const double w = uniform ? scale : c[m] * scale;  // the belief in outcome m
      if (w != 0) sum += w * payoff(static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(m));
    }
    out[a] = sum;
  }
}

template <class Payoff>
std::uint32_t FictitiousPlay::best_response(std::size_t agent, Payoff&& payoff, Stream& stream) const {
  std::vector<double> values(actions_);
  expected_payoffs(agent, payoff, values);
  return argmax_random_tie(values, stream);
}

template <class Payoff>
void FictitiousPlay::best_responses(std::uint64_t seed, std::uint32_t tag, std::uint32_t round, Payoff&& payoff,
                                    std::span<std::uint32_t> out) const {
  check_out(out.size(), agents_);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, agents_, 1024), [&](const auto& r) {
    std::vector<double> values(actions_);
    for (std::size_t i = r.begin(); i != r.end(); ++i) {
      expected_payoffs(i, [&](std::uint32_t a, std::uint32_t m) { return payoff(i, a, m); }, values);
      Stream s(seed, tag, static_cast<std::uint32_t>(i), round);
      out[i] = argmax_random_tie(values, s);
    }
  });
}

}  // namespace marketsim::learning
