// boltzmann_wealth: random pairwise money exchange.
//
// Agents start with equal money and meet at random; each meeting moves money between
// the pair by a fair rule, yet unequal wealth emerges. Dragulescu and Yakovenko (2000)
// show the stationary law is exponential (Boltzmann-Gibbs, Gini 1/2) for a random
// split; Chakraborti and Chakrabarti (2000) add a saving propensity, which narrows it
// (Gamma-like, Patriarca, Chakraborti and Kaski 2004). Money is held in integer units
// (micro-units for the random split) and is conserved exactly.
// Equations, laws and tests: docs/models/boltzmann_wealth.md.
//
// Parameters (name = default [range]):
//   agents = 1000 [2, 10^9]        initial_money = 10 [1, 10^6] units
//   rule = random_split | unit     saving = 0 [0, 0.99] (random_split only)
//   schedule = sequential | matching
//   rounds = 500, record_every = 10
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "analysis/inequality.hpp"
#include "scenarios/boltzmann_wealth/boltzmann_wealth.hpp"

namespace marketsim {
namespace {
constexpr std::uint32_t kShuffleTag = 1;   // activation order / matching
constexpr std::uint32_t kExchangeTag = 2;  // partner and split fraction
constexpr std::uint32_t kExtraTag = 3;     // further exchange draws after a rejection (rare)
constexpr std::int64_t kMicro = 1'000'000; // micro-units per unit under random_split
constexpr std::size_t kHistogramBins = 40; // bins of width mean/4; the last is open-ended

}  // namespace

ExchangeDraws::ExchangeDraws(std::uint64_t seed, std::uint32_t position, std::uint32_t round,
                             std::uint32_t first, std::uint32_t second)
    : words_{first, second}, seed_(seed), position_(position), round_(round) {}

std::uint32_t ExchangeDraws::extra() {
  if (!extra_) extra_.emplace(seed_, kExtraTag, position_, round_);
  return (*extra_)();
}

ScenarioInfo describe_boltzmann_wealth() {
  ScenarioInfo s;
  s.name = "boltzmann_wealth";
  s.summary = "Random pairwise money exchange: inequality from fair random trades";
  s.story =
      "Agents start with equal money and meet at random; each meeting moves money within the pair "
      "(one unit, or a uniform random split of the pooled money less saved shares). Reproduces the "
      "Boltzmann-Gibbs exponential law (Dragulescu and Yakovenko 2000) and its narrowing with saving "
      "(Chakraborti and Chakrabarti 2000).";
  s.default_rounds = 500;
  s.default_record_every = 10;
  auto& p = *s.schema;
  p.integer("agents", 1000, {2, 1e9}, "agents", "number of agents");
  p.integer("initial_money", 10, {1, 1e6}, "units", "money each agent starts with (the conserved mean)");
  p.choice("rule", "random_split", {"random_split", "unit"},
           "exchange rule: random_split pools and splits at a uniform fraction; unit gives one unit");
  p.real("saving", 0.0, {0.0, 0.99}, "1", "saving propensity: share of its money an agent keeps out of the pool (random_split only)");
  p.choice("schedule", "sequential", {"sequential", "matching"},
           "sequential: agents act one at a time in random order; matching: random perfect matching, pairs in parallel");
  p.check({"rule", "agents", "initial_money"}, "agents * initial_money <= 4e12 under random_split (micro-units fit in 64 bits)",
          [](const Params& q) {
            return q.choice("rule") == "unit" || q.real("agents") * q.real("initial_money") <= 4e12;
          });
  s.scalar("gini", "1", "Gini coefficient of final holdings");
  s.scalar("mean", "units", "mean final holding (equals initial_money: money is conserved)");
  s.scalar("max", "units", "largest final holding");
  s.scalar("top1_share", "1", "share of all money held by the richest 1% (ceil(N/100) agents)");
  s.scalar("money_drift", "units", "final total money minus initial total (exactly 0)");
  s.series_output("gini_t", "1", "Gini coefficient after each sampled round");
  s.vector("wealth_histogram", "wealth_bin", "1",
           "share of agents with holding/mean in [k/4, (k+1)/4); the last bin is open-ended",
           [](const Params&) { return kHistogramBins; });
  return s;
}

BoltzmannWealth::BoltzmannWealth(Run& run)
    : seed_(run.seed()),
      n_(static_cast<std::uint32_t>(run.params().integer("agents"))),
      unit_rule_(run.params().choice("rule") == "unit"),
      matching_(run.params().choice("schedule") == "matching"),
      saving_(run.params().real("saving")),
      scale_(unit_rule_ ? 1 : kMicro),
      money_(n_, run.params().integer("initial_money") * scale_),
      initial_total_(static_cast<__int128>(money_[0]) * n_) {}

void BoltzmannWealth::step(std::int64_t round) {
  const auto t = static_cast<std::uint32_t>(round);
  permuter_.permute(seed_, kShuffleTag, t, n_, order_);
  if (matching_) {
    // Disjoint pairs: each pair touches only its own two agents, so any split of the
    // pairs over threads gives the same result.
    const std::uint32_t pairs = n_ / 2;
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, (pairs + 1) / 2, 2048), [&](const auto& r) {
      for (std::uint32_t g = r.begin(); g != r.end(); ++g) {
        Stream s(seed_, kExchangeTag, g, t);
        const std::uint32_t w0 = s(), w1 = s(), w2 = s(), w3 = s();
        ExchangeDraws first(seed_, 2 * g, t, w0, w1);
        exchange(order_[4 * g], order_[4 * g + 1], first);
        if (2 * g + 1 < pairs) {
          ExchangeDraws second(seed_, 2 * g + 1, t, w2, w3);
          exchange(order_[4 * g + 2], order_[4 * g + 3], second);
        }
      }
    });
  } else {
    // Partners depend only on (seed, position, round), not on holdings, so they are drawn
    // a chunk ahead and the holdings prefetched: the random draws overlap the memory
    // latency. The exchanges themselves run strictly in activation order.
    constexpr std::uint32_t kChunk = 64;  // even: positions 2g, 2g+1 share a Philox call
    struct Meeting {
      ExchangeDraws draws;
      std::uint32_t i = 0, j = 0;
    };
    std::array<Meeting, kChunk> ahead;
    for (std::uint32_t k0 = 0; k0 < n_; k0 += kChunk) {
      const std::uint32_t m = std::min(kChunk, n_ - k0);
      // Partner draws interleaved with the prefetches they enable, so the memory requests
      // overlap the Philox arithmetic instead of queueing up behind each other.
      for (std::uint32_t c = 0; c < m; c += 2) {
        const std::uint32_t p = k0 + c;
        Stream s(seed_, kExchangeTag, p / 2, t);
        const std::uint32_t w[4] = {s(), s(), s(), s()};
        for (std::uint32_t q = 0; q < 2 && c + q < m; ++q) {
          Meeting& meet = ahead[c + q];
          meet.draws = ExchangeDraws(seed_, p + q, t, w[2 * q], w[2 * q + 1]);
          meet.i = order_[p + q];
          meet.j = static_cast<std::uint32_t>(uniform_below(meet.draws, n_ - 1));
          meet.j += meet.j >= meet.i;  // uniform among the other agents
          __builtin_prefetch(&money_[meet.i], 1);
          __builtin_prefetch(&money_[meet.j], 1);
        }
      }
      for (std::uint32_t c = 0; c < m; ++c) exchange(ahead[c].i, ahead[c].j, ahead[c].draws);
    }
  }
}

void BoltzmannWealth::record(Run& run) {
  run.record("gini_t", analysis::gini(std::span<const std::int64_t>(money_)));
}

void BoltzmannWealth::finish(Run& run) {
  std::vector<std::int64_t> sorted(money_);
  tbb::parallel_sort(sorted.begin(), sorted.end());
  __int128 total = 0;
  for (auto m : sorted) total += m;
  const double scale = static_cast<double>(scale_);
  run.set("gini", analysis::gini_sorted(std::span<const std::int64_t>(sorted)));
  run.set("mean", static_cast<double>(static_cast<long double>(total) / n_ / scale));
  run.set("max", static_cast<double>(sorted.back()) / scale);
  run.set("top1_share", analysis::top_share_sorted(std::span<const std::int64_t>(sorted), 0.01));
  run.set("money_drift", static_cast<double>(static_cast<long double>(total - initial_total_) / scale));
  // Bin k holds agents with 4 * m / mean in [k, k+1): k = floor(4 m n / total).
  std::vector<double> hist(kHistogramBins, 0.0);
  for (auto m : sorted) {
    auto k = static_cast<std::size_t>(static_cast<__int128>(4) * m * n_ / total);
    hist[std::min(k, kHistogramBins - 1)] += 1.0;
  }
  for (auto& h : hist) h /= n_;
  run.set_vector("wealth_histogram", std::move(hist));
}

inline void BoltzmannWealth::exchange(std::uint32_t i, std::uint32_t j, ExchangeDraws& draws) {
  std::int64_t& a = money_[i];
  std::int64_t& b = money_[j];
  if (unit_rule_) {
    if (a > 0) --a, ++b;
    return;
  }
  const std::int64_t keep_a = saving_ > 0 ? static_cast<std::int64_t>(saving_ * static_cast<double>(a)) : 0;
  const std::int64_t keep_b = saving_ > 0 ? static_cast<std::int64_t>(saving_ * static_cast<double>(b)) : 0;
  const std::int64_t pool = (a - keep_a) + (b - keep_b);
  // Uniform on {0, ..., pool}: exactly symmetric between the two agents.
  const auto share = static_cast<std::int64_t>(uniform_below(draws, static_cast<std::uint64_t>(pool) + 1));
  a = keep_a + share;
  b = keep_b + (pool - share);
}

MARKETSIM_SCENARIO(describe_boltzmann_wealth, BoltzmannWealth);

}  // namespace marketsim
