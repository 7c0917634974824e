// Granovetter threshold joiners (threshold_joiners.hpp).
#include "agents/threshold_joiners.hpp"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>
#include <utility>

#include "sim/random.hpp"

namespace marketsim {
namespace {
constexpr std::size_t kAgentsPerBlock = 16384;  // fixed blocks: the partition never matters
// The top bit of an agent's neighbour count marks it as a candidate (one array read per
// neighbour instead of two); counts stay below 2^31 because degrees do.
constexpr std::uint32_t kCandidate = 0x80000000u;
}  // namespace

ThresholdKind threshold_kind(std::string_view name) {
  if (name == "count") return ThresholdKind::count;
  if (name == "share") return ThresholdKind::share;
  throw Error(fmt::format("unknown threshold kind '{}'; valid kinds: count, share", name));
}

ThresholdDistribution threshold_distribution(std::string_view name) {
  if (name == "normal") return ThresholdDistribution::normal;
  if (name == "uniform") return ThresholdDistribution::uniform;
  throw Error(fmt::format("unknown threshold distribution '{}'; valid distributions: normal, uniform", name));
}

std::vector<double> draw_thresholds(std::uint32_t n, ThresholdDistribution dist, double mean, double sd,
                                    std::uint64_t seed, std::uint32_t tag) {
  if (!std::isfinite(mean)) throw Error(fmt::format("draw_thresholds: mean = {} must be finite", mean));
  if (!(sd >= 0) || !std::isfinite(sd)) throw Error(fmt::format("draw_thresholds: sd = {} must be finite and >= 0", sd));
  std::vector<double> theta(n, std::max(0.0, mean));
  if (sd == 0) return theta;
  const double half_width = std::sqrt(3.0) * sd;  // U[a, b] has sd (b - a) / sqrt(12)
  tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, n, kAgentsPerBlock), [&](const auto& r) {
    boost::random::normal_distribution<double> normal(mean, sd);
    boost::random::uniform_real_distribution<double> uniform(mean - half_width, mean + half_width);
    for (std::uint32_t i = r.begin(); i != r.end(); ++i) {
      Stream s(seed, tag, i, 0);
      const double x = dist == ThresholdDistribution::normal ? normal(s) : uniform(s);
      theta[i] = std::max(0.0, x);
    }
  });
  return theta;
}

ThresholdJoiners::ThresholdJoiners(const Network& network, std::vector<double> thresholds, ThresholdKind kind)
    : network_(&network), thresholds_(std::move(thresholds)), kind_(kind) {
  const NodeId n = network.size();
  if (thresholds_.size() != n)
    throw Error(fmt::format("threshold joiners: {} thresholds for a network of {} agents (one per agent needed)",
                            thresholds_.size(), n));
  joined_.assign(n, 0);
  for (NodeId i = 0; i < n; ++i) {
    if (std::isnan(thresholds_[i])) throw Error(fmt::format("threshold joiners: agent {} has a NaN threshold", i));
    joined_[i] = thresholds_[i] <= 0;
    participants_ += joined_[i];
  }
  if (network.is_complete()) {
    // (threshold, index) is a strict order, so the sort is the same at any thread count.
    std::vector<std::pair<double, NodeId>> keys(n);
    for (NodeId i = 0; i < n; ++i) keys[i] = {thresholds_[i], i};
    tbb::parallel_sort(keys.begin(), keys.end());
    by_threshold_.resize(n);
    for (NodeId k = 0; k < n; ++k) by_threshold_[k] = keys[k].second;
    return;
  }
  const auto offsets = network.offsets();
  for (NodeId i = 0; i < n; ++i)
    if (offsets[i + 1] - offsets[i] >= kCandidate)
      throw Error(fmt::format("threshold joiners: agent {} has {} neighbours; at most 2^31 - 1 are supported", i,
                              offsets[i + 1] - offsets[i]));
  seen_.assign(n, 0);  // counted at the first round (recount_)
  block_joiners_.resize((n + kAgentsPerBlock - 1) / kAgentsPerBlock);
}

double ThresholdJoiners::participation() const {
  return size() == 0 ? 0.0 : static_cast<double>(participants_) / size();
}

double ThresholdJoiners::observed(NodeId i) const {
  if (i >= size()) throw Error(fmt::format("threshold joiners: agent {} is outside 0..{}", i, size() == 0 ? 0 : size() - 1));
  return observe(i);
}

double ThresholdJoiners::observe(NodeId i) const {
  if (network_->is_complete()) {
    // Everyone else is a neighbour, so i sees every participant but itself.
    const std::uint64_t seen = participants_ - joined_[i];
    if (kind_ == ThresholdKind::count) return static_cast<double>(seen);
    return size() > 1 ? static_cast<double>(seen) / (size() - 1) : 0.0;
  }
  return observation(i, recount_ ? count_neighbours(i) : seen_[i] & ~kCandidate);
}

double ThresholdJoiners::observation(NodeId i, std::uint32_t seen) const {
  if (kind_ == ThresholdKind::count) return seen;
  const auto offsets = network_->offsets();
  const std::uint64_t degree = offsets[i + 1] - offsets[i];
  return degree > 0 ? static_cast<double>(seen) / static_cast<double>(degree) : 0.0;
}

std::uint32_t ThresholdJoiners::count_neighbours(NodeId i) const {
  const auto offsets = network_->offsets();
  const auto adjacency = network_->adjacency();
  std::uint32_t seen = 0;
  for (std::uint64_t k = offsets[i]; k < offsets[i + 1]; ++k) seen += joined_[adjacency[k]];
  return seen;
}

std::size_t ThresholdJoiners::complete_boundary() const {
  // Non-participants all observe the same value, so those who join next are the ones
  // after the boundary whose threshold it reaches.
  std::size_t k = participants_;
  while (k < by_threshold_.size() && would_join(by_threshold_[k])) ++k;
  return k;
}

std::uint64_t ThresholdJoiners::step() {
  if (network_->is_complete()) {
    const std::size_t end = complete_boundary();
    for (std::size_t k = participants_; k < end; ++k) joined_[by_threshold_[k]] = 1;
    const std::uint64_t joined = end - participants_;
    participants_ = end;
    return joined;
  }
  // Read phase: decisions against the round t-1 state, from counts kept up to date or,
  // after a round with many joiners, recounted for everyone. Write phase: join.
  const auto offsets = network_->offsets();
  const auto adjacency = network_->adjacency();
  joiners_.clear();
  if (recount_) {
    tbb::parallel_for(std::size_t{0}, block_joiners_.size(), [&](std::size_t b) {
      auto& out = block_joiners_[b];
      out.clear();
      const NodeId end = static_cast<NodeId>(std::min<std::size_t>(size(), (b + 1) * kAgentsPerBlock));
      for (auto i = static_cast<NodeId>(b * kAgentsPerBlock); i < end; ++i) {
        seen_[i] = count_neighbours(i);
        if (!joined_[i] && observation(i, seen_[i]) >= thresholds_[i]) out.push_back(i);
      }
    });
    for (const auto& out : block_joiners_) joiners_.insert(joiners_.end(), out.begin(), out.end());
    recount_ = false;
  } else {
    for (NodeId i : candidates_) {
      if (would_join(i)) joiners_.push_back(i);
      seen_[i] &= ~kCandidate;
    }
  }
  candidates_.clear();
  for (NodeId i : joiners_) joined_[i] = 1;
  participants_ += joiners_.size();
  // Tell the joiners' neighbours, whose counts rose and who become the next round's
  // candidates; when that touches more than a tenth of the edge ends and agents, it is
  // cheaper to recount everyone (in parallel) next round.
  std::uint64_t touched = 0;
  for (NodeId j : joiners_) touched += offsets[j + 1] - offsets[j];
  if (10 * touched > adjacency.size() + size()) {
    recount_ = true;
    return joiners_.size();
  }
  for (NodeId j : joiners_) {
    for (std::uint64_t k = offsets[j]; k < offsets[j + 1]; ++k) {
      const NodeId i = adjacency[k];
      const std::uint32_t seen = ++seen_[i];
      if (!(seen & kCandidate) && !joined_[i]) {
        seen_[i] = seen | kCandidate;
        candidates_.push_back(i);
      }
    }
  }
  return joiners_.size();
}

std::uint64_t ThresholdJoiners::pending() const {
  if (network_->is_complete()) return complete_boundary() - participants_;
  if (!recount_)
    return static_cast<std::uint64_t>(std::count_if(candidates_.begin(), candidates_.end(), [&](NodeId i) { return would_join(i); }));
  std::vector<std::uint64_t> per_block(block_joiners_.size(), 0);
  tbb::parallel_for(std::size_t{0}, per_block.size(), [&](std::size_t b) {
    const NodeId end = static_cast<NodeId>(std::min<std::size_t>(size(), (b + 1) * kAgentsPerBlock));
    for (auto i = static_cast<NodeId>(b * kAgentsPerBlock); i < end; ++i) per_block[b] += would_join(i);
  });
  return std::accumulate(per_block.begin(), per_block.end(), std::uint64_t{0});
}

}  // namespace marketsim
