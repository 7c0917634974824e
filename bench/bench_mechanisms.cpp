// Shared mechanisms at population scale: disclosure channels, learning rules, threshold
// pledges, Nash bargaining on a frontier. Figures and machine: docs/performance.md.
//
//   build/bench/marketsim_bench_mechanisms --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <vector>

#include "agents/learning.hpp"
#include "markets/bargaining.hpp"
#include "markets/disclosure.hpp"
#include "markets/threshold_pledge.hpp"
#include "sim/random.hpp"

namespace ms = marketsim;
namespace dc = marketsim::disclosure;

namespace {

constexpr std::uint32_t kGroupSize = 100;  // agents per group under the group rule

std::int32_t group_of(std::uint32_t agent) { return static_cast<std::int32_t>(agent / kGroupSize); }

// One round of a population where every agent makes one deal, with two rounds kept.
dc::Channel filled_channel(dc::Rule rule, std::uint32_t agents, std::int64_t rounds) {
  dc::Channel c(rule, agents, rule == dc::Rule::delayed ? 1 : 0, 2);
  for (std::int64_t t = 0; t < rounds; ++t)
    for (std::uint32_t i = 0; i < agents; ++i) c.record(t, i, group_of(i), 1.0 + static_cast<double>((i * 7 + t) % 64) / 8);
  return c;
}

// Deals recorded per second (one deal per agent per round, rounds after the first).
void DisclosureRecord(benchmark::State& state, dc::Rule rule) {
  const auto agents = static_cast<std::uint32_t>(state.range(0));
  dc::Channel c = filled_channel(rule, agents, 1);
  std::int64_t t = 1;
  for (auto _ : state) {
    for (std::uint32_t i = 0; i < agents; ++i) c.record(t, i, group_of(i), static_cast<double>(i % 64) / 8);
    ++t;
  }
  state.counters["deals_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()) * agents,
                                                     benchmark::Counter::kIsRate);
}

// Queries per second: every agent asks for its all-round aggregate, then for its window
// of the last round (one thread).
void DisclosureQuery(benchmark::State& state, dc::Rule rule) {
  const auto agents = static_cast<std::uint32_t>(state.range(0));
  const dc::Channel c = filled_channel(rule, agents, 5);
  const std::int64_t now = c.latest_round();
  double sink = 0;
  for (auto _ : state) {
    for (std::uint32_t i = 0; i < agents; ++i) {
      sink += c.seen(i, group_of(i), now).min;
      sink += c.seen(i, group_of(i), now, now).count;
    }
  }
  benchmark::DoNotOptimize(sink);
  state.counters["queries_per_s"] = benchmark::Counter(2.0 * static_cast<double>(state.iterations()) * agents,
                                                       benchmark::Counter::kIsRate);
}

// One Roth-Erev round (choose_all + update_all) over agents x 10 actions.
void RothErevRound(benchmark::State& state) {
  const auto agents = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  ms::learning::RothErev re(agents, 10, {});
  std::vector<std::uint32_t> actions(agents);
  std::vector<double> rewards(agents);
  tbb::task_arena arena(threads);
  std::uint32_t round = 0;
  arena.execute([&] {
    for (auto _ : state) {
      re.choose_all(1, 1, round++, actions);
      for (std::size_t i = 0; i < agents; ++i) rewards[i] = static_cast<double>(actions[i]);
      re.update_all(actions, rewards);
    }
  });
  state.counters["agent_steps_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()) * agents,
                                                           benchmark::Counter::kIsRate);
}

// Fictitious play: every agent best-responds over 10 actions x 10 outcomes.
void FictitiousPlayRound(benchmark::State& state) {
  const auto agents = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  ms::learning::FictitiousPlay fp(agents, 10, 10);
  std::vector<std::uint32_t> actions(agents);
  tbb::task_arena arena(threads);
  std::uint32_t round = 0;
  auto payoff = [](std::size_t, std::uint32_t a, std::uint32_t m) { return a <= m ? double(a) : -1.0; };
  arena.execute([&] {
    for (auto _ : state) {
      fp.best_responses(1, 2, round++, payoff, actions);
      fp.observe_all(actions);
    }
  });
  state.counters["agent_steps_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()) * agents,
                                                           benchmark::Counter::kIsRate);
}

// Live arrival plus settlement of a population's pledges.
void PledgeLive(benchmark::State& state) {
  const auto agents = static_cast<std::uint32_t>(state.range(0));
  const ms::pledges::Rule rule{ms::pledges::Threshold::sum, 50LL * agents, ms::pledges::Bonus::proportional, 50'000};
  const auto order = ms::pledges::arrival_order(1, 1, 0, agents);
  std::vector<std::int64_t> pledges(agents, 0);
  for (auto _ : state) {
    ms::pledges::pledge_live(order, pledges, [&](std::uint32_t i, const ms::pledges::State& s) {
      return s.reached(rule) ? std::int64_t{0} : std::int64_t{i % 200};
    });
    benchmark::DoNotOptimize(ms::pledges::settle_totals(rule, pledges));
  }
  state.counters["pledgers_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()) * agents,
                                                        benchmark::Counter::kIsRate);
}

// One Nash solution on a curved frontier (golden section to the default tolerance).
void NashFrontier(benchmark::State& state) {
  double a = 0.3;
  for (auto _ : state) {
    auto o = ms::bargaining::nash_frontier([](double u) { return 1.0 - u * u; }, 0.0, 1.0, 0.0, 0.1, a);
    benchmark::DoNotOptimize(o);
  }
}

}  // namespace

BENCHMARK_CAPTURE(DisclosureRecord, public, dc::Rule::public_)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(DisclosureRecord, group, dc::Rule::group)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(DisclosureRecord, private, dc::Rule::private_)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(DisclosureRecord, delayed, dc::Rule::delayed)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(DisclosureQuery, public, dc::Rule::public_)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(DisclosureQuery, group, dc::Rule::group)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(DisclosureQuery, private, dc::Rule::private_)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(DisclosureQuery, delayed, dc::Rule::delayed)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(RothErevRound)->Args({1'000'000, 1})->Args({1'000'000, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(FictitiousPlayRound)->Args({1'000'000, 1})->Args({1'000'000, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(PledgeLive)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(NashFrontier)->UseRealTime();

BENCHMARK_MAIN();
