#pragma once
// Granovetter threshold joiners: agents who join a collective action (a riot, a strike,
// a pledge, a boycott) once enough others they can see have joined, and then stay.
//
// Rules. Agent i has a threshold theta_i and a state x_i in {0, 1} (joined). At round 0,
// x_i = 1 exactly when theta_i <= 0: those agents act unconditionally and start the
// cascade. Each round t = 1, 2, ... is synchronous: every agent reads the round t-1
// state, and a non-participant joins when what it observes reaches its threshold,
//     x_i(t) = 1  if  x_i(t-1) = 1  or  o_i(t-1) >= theta_i,
// so who joins in round t does not depend on the order agents are visited in. What i
// observes, o_i, is
//   count: the number of participants among i's neighbours; on the complete network,
//          the number of participants in the whole population (i itself is not one);
//   share: that number over i's degree (0 for an isolated agent); on the complete
//          network, participants over n-1 (the share of the others), so the implicit
//          complete graph and an explicit one give the same result.
// Joining is permanent, so participation never falls and the cascade stops at the first
// round in which nobody joins (after it nothing can change). On the complete network
// with count thresholds, participation follows r(t) = #{i : theta_i <= r(t-1)} = N F(r(t-1)),
// F the empirical distribution function of the thresholds (Granovetter 1978).
//
// Cost: a round costs what changes in it, not the population, so a whole cascade costs
// O(n log n + m). On the complete network everyone sees the same thing, so the
// participants are always the agents with the lowest thresholds: agents are kept sorted by
// (threshold, index) and a round moves the boundary. On other networks each agent's count
// of participating neighbours is kept up to date, and a round examines only the agents
// whose count changed in the previous round (the neighbours of its joiners): nobody else
// can have crossed a threshold. After a round whose joiners have many neighbours (more
// than a tenth of all edge ends and agents), the next round instead recounts everyone in
// parallel, which is then cheaper.
//
// Thresholds are given as a list or drawn per agent from Stream(seed, tag, i, 0):
// normal(mean, sd), or uniform on [mean - sqrt(3) sd, mean + sqrt(3) sd] (the same mean
// and sd), both censored at 0 (theta = max(0, x): a negative draw means the agent acts
// unconditionally, which is how Granovetter's normal example gets its instigators).
//
// References: M. Granovetter, "Threshold models of collective behavior", Am. J. Sociol.
// 83, 1420-1443 (1978); D. J. Watts, "A simple model of global cascades on random
// networks", PNAS 99, 5766-5771 (2002).
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "markets/network.hpp"

namespace marketsim {

enum class ThresholdKind { count, share };
ThresholdKind threshold_kind(std::string_view name);  // "count" | "share"; Error otherwise

enum class ThresholdDistribution { normal, uniform };
ThresholdDistribution threshold_distribution(std::string_view name);  // "normal" | "uniform"

// n thresholds, agent i's from Stream(seed, tag, i, 0); sd >= 0 (sd = 0: all equal to
// max(0, mean)). Error on a negative or non-finite sd or a non-finite mean.
std::vector<double> draw_thresholds(std::uint32_t n, ThresholdDistribution dist, double mean, double sd,
                                    std::uint64_t seed, std::uint32_t tag);

class ThresholdJoiners {
 public:
  // One threshold per node of `network` (which must outlive this object); Error on a size
  // mismatch or a NaN threshold. Agents with threshold <= 0 have joined at round 0.
  ThresholdJoiners(const Network& network, std::vector<double> thresholds, ThresholdKind kind);

  // One synchronous round; returns how many joined in it (0: the cascade has stopped).
  std::uint64_t step();

  // How many would join in the next round, without changing anything.
  std::uint64_t pending() const;

  // What agent i observes in the current state (count or share, per the kind).
  double observed(NodeId i) const;

  bool joined(NodeId i) const { return joined_.at(i) != 0; }
  std::uint64_t participants() const { return participants_; }
  double participation() const;  // participants / n (0 without agents)
  NodeId size() const { return network_->size(); }
  ThresholdKind kind() const { return kind_; }
  std::span<const std::uint8_t> state() const { return joined_; }
  std::span<const double> thresholds() const { return thresholds_; }

 private:
  double observe(NodeId i) const;  // observed() without the range check
  double observation(NodeId i, std::uint32_t seen) const;  // count or share of `seen` neighbours
  std::uint32_t count_neighbours(NodeId i) const;          // from the state, not the kept count
  bool would_join(NodeId i) const { return !joined_[i] && observe(i) >= thresholds_[i]; }
  std::size_t complete_boundary() const;  // complete network: end of the next round's joiners

  const Network* network_;
  std::vector<double> thresholds_;
  ThresholdKind kind_;
  std::vector<std::uint8_t> joined_;
  std::uint64_t participants_ = 0;
  // Complete network: agents sorted by (threshold, index); the first participants_ joined.
  std::vector<NodeId> by_threshold_;
  // Other networks: participating neighbours per agent (top bit: listed as a candidate),
  // and the non-participants whose count changed in the last round, each listed once.
  // recount_: the counts are stale (at the start, or after a round with many joiners) and
  // the next round recounts everyone in parallel, in fixed blocks.
  std::vector<std::uint32_t> seen_;
  std::vector<NodeId> candidates_, joiners_;
  std::vector<std::vector<NodeId>> block_joiners_;
  bool recount_ = true;
};

}  // namespace marketsim
