#include "agents/learning.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/error.hpp"

namespace marketsim::learning {
namespace {

constexpr std::size_t kGrain = 1024;  // agents per parallel block

void check_population(const char* who, std::size_t agents, std::size_t actions, const char* grid) {
  if (agents == 0) throw Error(fmt::format("{}: needs at least one agent", who));
  if (agents > 0xFFFFFFFFu) throw Error(fmt::format("{}: at most 2^32 agents (one random stream each), got {}", who, agents));
  if (actions == 0) throw Error(fmt::format("{}: the {} grid is empty", who, grid));
}

void check_unit(double x, const char* name) {
  if (!(x >= 0.0 && x <= 1.0)) throw Error(fmt::format("roth_erev: {} must be in [0, 1], got {}", name, x));
}

void check_nonnegative(const char* who, double x, const char* name) {
  if (!(x >= 0.0 && std::isfinite(x))) throw Error(fmt::format("{}: {} must be finite and >= 0, got {}", who, name, x));
}

}  // namespace

// ---- Roth-Erev ----------------------------------------------------------------------

RothErev::RothErev(std::size_t agents, std::size_t actions, const RothErevParams& params)
    : agents_(agents), actions_(actions), params_(params) {
  check_population("roth_erev", agents, actions, "action");
  check_unit(params.recency, "recency (phi)");
  check_unit(params.experimentation, "experimentation (epsilon)");
  check_nonnegative("roth_erev", params.initial, "initial propensity");
  check_nonnegative("roth_erev", params.floor, "floor (nu)");
  q_.assign(agents * actions, std::max(params.initial, params.floor));
}

void RothErev::check_agent(std::size_t agent) const {
  if (agent >= agents_) throw Error(fmt::format("roth_erev: agent {} out of range (0..{})", agent, agents_ - 1));
}

std::span<const double> RothErev::propensities(std::size_t agent) const {
  check_agent(agent);
  return {&q_[agent * actions_], actions_};
}

void RothErev::set_propensities(std::size_t agent, std::span<const double> q) {
  check_agent(agent);
  if (q.size() != actions_)
    throw Error(fmt::format("roth_erev: {} propensities given for {} actions", q.size(), actions_));
  for (double x : q) check_nonnegative("roth_erev", x, "a propensity");
  std::copy(q.begin(), q.end(), q_.begin() + static_cast<std::ptrdiff_t>(agent * actions_));
}

double RothErev::probability(std::size_t agent, std::size_t action) const {
  const auto q = propensities(agent);
  if (action >= actions_) throw Error(fmt::format("roth_erev: action {} off the grid (0..{})", action, actions_ - 1));
  double total = 0;
  for (double x : q) total += x;
  return total > 0 ? q[action] / total : 1.0 / static_cast<double>(actions_);
}

std::uint32_t RothErev::choose(std::size_t agent, Stream& stream) const {
  const auto q = propensities(agent);
  double total = 0;
  for (double x : q) total += x;
  if (!(total > 0)) return static_cast<std::uint32_t>(stream.below(actions_));
  const double u = stream.uniform01() * total;
  double cumulative = 0;
  std::size_t last_positive = 0;
  for (std::size_t j = 0; j < actions_; ++j) {
    if (q[j] <= 0) continue;
    cumulative += q[j];
    last_positive = j;
    if (u < cumulative) return static_cast<std::uint32_t>(j);
  }
  return static_cast<std::uint32_t>(last_positive);  // u rounded up to the total
}

void RothErev::choose_all(std::uint64_t seed, std::uint32_t tag, std::uint32_t round,
                          std::span<std::uint32_t> out) const {
  if (out.size() != agents_) throw Error(fmt::format("roth_erev: {} outputs for {} agents", out.size(), agents_));
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, agents_, kGrain), [&](const auto& r) {
    for (std::size_t i = r.begin(); i != r.end(); ++i) {
      Stream s(seed, tag, static_cast<std::uint32_t>(i), round);
      out[i] = choose(i, s);
    }
  });
}

void RothErev::update(std::size_t agent, std::uint32_t action, double reward) {
  check_agent(agent);
  if (action >= actions_) throw Error(fmt::format("roth_erev: action {} off the grid (0..{})", action, actions_ - 1));
  if (!std::isfinite(reward)) throw Error(fmt::format("roth_erev: reward must be finite, got {}", reward));
  double* q = &q_[agent * actions_];
  const double keep = 1.0 - params_.recency;
  for (std::size_t j = 0; j < actions_; ++j) q[j] *= keep;
  const double eps = actions_ > 1 ? params_.experimentation : 0.0;
  q[action] += (1.0 - eps) * reward;
  if (eps > 0) {
    if (params_.spread == Spread::uniform) {
      const double each = eps * reward / static_cast<double>(actions_ - 1);
      for (std::size_t j = 0; j < actions_; ++j)
        if (j != action) q[j] += each;
    } else if (action == 0) {
      q[1] += eps * reward;
    } else if (action + 1 == actions_) {
      q[action - 1] += eps * reward;
    } else {
      q[action - 1] += 0.5 * eps * reward;
      q[action + 1] += 0.5 * eps * reward;
    }
  }
  for (std::size_t j = 0; j < actions_; ++j) q[j] = std::max(q[j], params_.floor);
}

void RothErev::update_all(std::span<const std::uint32_t> actions, std::span<const double> rewards) {
  if (actions.size() != agents_ || rewards.size() != agents_)
    throw Error(fmt::format("roth_erev: {} actions and {} rewards for {} agents", actions.size(), rewards.size(), agents_));
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, agents_, kGrain), [&](const auto& r) {
    for (std::size_t i = r.begin(); i != r.end(); ++i) update(i, actions[i], rewards[i]);
  });
}

// ---- best responses -----------------------------------------------------------------

std::uint32_t argmax_random_tie(std::span<const double> values, Stream& stream, double rel_tol) {
  if (values.empty()) throw Error("argmax_random_tie: no values (empty action grid)");
  double best = -std::numeric_limits<double>::infinity(), scale = 0;
  for (double v : values) {
    if (std::isnan(v)) throw Error("argmax_random_tie: a payoff is NaN");
    best = std::max(best, v);
    if (std::isfinite(v)) scale = std::max(scale, std::fabs(v));
  }
  const double cut = best - rel_tol * scale;
  std::uint32_t ties = 0;
  for (double v : values) ties += v >= cut;
  std::uint64_t pick = ties > 1 ? stream.below(ties) : 0;
  for (std::size_t a = 0; a < values.size(); ++a)
    if (values[a] >= cut && pick-- == 0) return static_cast<std::uint32_t>(a);
  return 0;  // unreachable
}

// ---- fictitious play ----------------------------------------------------------------

FictitiousPlay::FictitiousPlay(std::size_t agents, std::size_t actions, std::size_t outcomes, double prior)
    : agents_(agents), actions_(actions), outcomes_(outcomes) {
  check_population("fictitious_play", agents, actions, "action");
  if (outcomes == 0) throw Error("fictitious_play: the outcome grid is empty");
  check_nonnegative("fictitious_play", prior, "prior");
  counts_.assign(agents * outcomes, prior);
  total_.assign(agents, prior * static_cast<double>(outcomes));
}

void FictitiousPlay::check_agent(std::size_t agent) const {
  if (agent >= agents_) throw Error(fmt::format("fictitious_play: agent {} out of range (0..{})", agent, agents_ - 1));
}

void FictitiousPlay::check_out(std::size_t size, std::size_t expected) const {
  if (size != expected) throw Error(fmt::format("fictitious_play: output has {} entries, needs {}", size, expected));
}

std::span<const double> FictitiousPlay::counts(std::size_t agent) const {
  check_agent(agent);
  return {&counts_[agent * outcomes_], outcomes_};
}

double FictitiousPlay::belief(std::size_t agent, std::size_t outcome) const {
  const auto c = counts(agent);
  if (outcome >= outcomes_)
    throw Error(fmt::format("fictitious_play: outcome {} off the grid (0..{})", outcome, outcomes_ - 1));
  return total_[agent] > 0 ? c[outcome] / total_[agent] : 1.0 / static_cast<double>(outcomes_);
}

void FictitiousPlay::observe(std::size_t agent, std::uint32_t outcome, double weight) {
  check_agent(agent);
  if (outcome >= outcomes_)
    throw Error(fmt::format("fictitious_play: outcome {} off the grid (0..{})", outcome, outcomes_ - 1));
  check_nonnegative("fictitious_play", weight, "observation weight");
  counts_[agent * outcomes_ + outcome] += weight;
  total_[agent] += weight;
}

void FictitiousPlay::observe_all(std::span<const std::uint32_t> outcomes) {
  check_out(outcomes.size(), agents_);
  for (std::size_t i = 0; i < agents_; ++i) observe(i, outcomes[i]);
}

}  // namespace marketsim::learning
