#pragma once
// contract_disclosure: suppliers who share their contracts (seed 003: "twenty of AOL's
// largest content providers exchanged information about their contracts ... everyone who
// participated got a better deal the next time around"). docs/models/contract_disclosure.md.
//
// A platform renews a contract with each supplier every round, offering the smallest share
// of the supplier's value V_i it expects the supplier to accept, learnt from acceptances
// and refusals. A supplier accepts a share s iff s >= max(w_i, b_i): its outside option
// (w_i V_i) and its belief b_i about the going rate, updated from the deals it sees through
// a markets/disclosure.hpp channel: max_observed (anchor on the best deal seen), average
// (adaptive expectations) or bayes (posterior mean of the going rate). With coordination
// = coalition the `club_size` largest suppliers form a club that pools its contract terms
// under disclosure = group.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "agents/staircase.hpp"
#include "markets/disclosure.hpp"
#include "analysis/round_metrics.hpp"
#include "sim/scenario.hpp"

namespace marketsim {

ScenarioInfo describe_contract_disclosure();

namespace contract_disclosure {

enum class BeliefRule { max_observed, average, bayes };

// One supplier's belief about the going rate after it sees `seen` (shares of the deals
// newly visible to it this round; none: unchanged):
//   max_observed  b' = max(b, max seen)
//   average       b' = (1 - rate) b + rate * mean(seen)
//   bayes         b' = (weight0 b0 + sum of all shares seen so far) / (weight0 + count so far),
//                 the posterior mean of a normal going rate with known variance and a prior
//                 worth weight0 observations at b0; `count` and `sum` carry the history.
struct Belief {
  double value = 0;    // b
  double prior = 0;    // b0
  double sum = 0;      // bayes: shares seen so far
  double count = 0;    // bayes: how many
};
void update_belief(Belief& belief, BeliefRule rule, std::span<const double> seen, double rate, double weight0);

}  // namespace contract_disclosure

class ContractDisclosure {
 public:
  explicit ContractDisclosure(Run& run);
  ~ContractDisclosure();
  void step(std::int64_t round);
  void record(Run& run);
  void finish(Run& run);

  // For tests: per supplier, this round.
  std::span<const double> shares() const { return share_; }  // NaN if no deal
  std::span<const std::uint8_t> club() const { return club_; }
  std::span<const double> outside() const { return outside_; }

 private:
  std::uint64_t seed_;
  std::uint32_t n_;
  contract_disclosure::BeliefRule belief_rule_;
  bool pooling_;
  double step_, forget_, max_share_, rate_, weight0_;
  std::int64_t lag_;
  std::unique_ptr<disclosure::Channel> channel_;
  std::vector<double> value_, outside_, offer_, share_;
  std::vector<std::uint8_t> club_;
  std::vector<contract_disclosure::Belief> belief_;
  std::vector<Staircase> learner_;  // the platform's, per supplier (agents/staircase.hpp)
  analysis::RoundMetrics now_;  // this round's outcomes and their means over rounds
};

}  // namespace marketsim
