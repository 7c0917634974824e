// Granovetter threshold joiners (threshold_joiners.hpp).
#include "agents/threshold_joiners.hpp"

#include <tbb/parallel_for.h>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <fmt/format.h>

#include "sim/random.hpp"

namespace marketsim {
namespace {
constexpr std::size_t kAgentsPerBlock = 16384;  // fixed blocks: the partition never matters
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
  joiners_.resize((n + kAgentsPerBlock - 1) / kAgentsPerBlock);
}

double ThresholdJoiners::participation() const {
  return size() == 0 ? 0.0 : static_cast<double>(participants_) / size();
}

double ThresholdJoiners::observed(NodeId i) const {
  if (i >= size()) throw Error(fmt::format("threshold joiners: agent {} is outside 0..{}", i, size() == 0 ? 0 : size() - 1));
  return observed_unchecked(i);
}

double ThresholdJoiners::observed_unchecked(NodeId i) const {
  const Network& net = *network_;
  if (net.is_complete()) {
    // A non-participant's neighbours are all the others, so it sees every participant.
    const std::uint64_t seen = participants_ - joined_[i];
    if (kind_ == ThresholdKind::count) return static_cast<double>(seen);
    return size() > 1 ? static_cast<double>(seen) / (size() - 1) : 0.0;
  }
  const auto offsets = net.offsets();
  const auto adjacency = net.adjacency();
  std::uint32_t seen = 0;
  for (std::uint64_t k = offsets[i]; k < offsets[i + 1]; ++k) seen += joined_[adjacency[k]];
  if (kind_ == ThresholdKind::count) return seen;
  const std::uint64_t degree = offsets[i + 1] - offsets[i];
  return degree > 0 ? static_cast<double>(seen) / static_cast<double>(degree) : 0.0;
}

template <class Visit>
void ThresholdJoiners::for_each_would_join(Visit&& visit) const {
  const std::size_t n = size();
  tbb::parallel_for(std::size_t{0}, joiners_.size(), [&](std::size_t b) {
    const std::size_t end = std::min(n, (b + 1) * kAgentsPerBlock);
    for (std::size_t i = b * kAgentsPerBlock; i < end; ++i)
      if (would_join(static_cast<NodeId>(i))) visit(b, static_cast<NodeId>(i));
  });
}

std::uint64_t ThresholdJoiners::step() {
  // Read phase: every decision sees the round t-1 state. Write phase: apply them all.
  for (auto& list : joiners_) list.clear();
  for_each_would_join([&](std::size_t b, NodeId i) { joiners_[b].push_back(i); });
  std::uint64_t joined = 0;
  for (const auto& list : joiners_) {
    for (NodeId i : list) joined_[i] = 1;
    joined += list.size();
  }
  participants_ += joined;
  return joined;
}

std::uint64_t ThresholdJoiners::pending() const {
  std::vector<std::uint64_t> per_block(joiners_.size(), 0);
  for_each_would_join([&](std::size_t b, NodeId) { ++per_block[b]; });
  std::uint64_t total = 0;
  for (auto c : per_block) total += c;
  return total;
}

}  // namespace marketsim
