// Social networks and threshold cascades. Figures and machine: docs/performance.md.
//
//   build/bench/marketsim_bench_network --benchmark_min_time=0.2
//   build/bench/marketsim_bench_network --benchmark_filter=Generate
#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>

#include "agents/threshold_joiners.hpp"
#include "markets/network.hpp"

namespace ms = marketsim;

namespace {

enum Kind { kRandom, kSmallWorld, kScaleFree, kComplete };

// Mean degree 10 everywhere: G(n, 10/(n-1)); ring lattice k = 10, rewire 0.1; m = 5.
ms::Network make(Kind kind, ms::NodeId n, std::uint64_t seed) {
  switch (kind) {
    case kRandom: return ms::erdos_renyi(n, 10, seed, 1);
    case kSmallWorld: return ms::watts_strogatz(n, 10, 0.1, seed, 1);
    case kScaleFree: return ms::barabasi_albert(n, 5, seed, 1);
    default: return ms::Network::complete(n);
  }
}

// Generation time of one network of `nodes` nodes (edges per second as a counter).
void Generate(benchmark::State& state, Kind kind) {
  const auto n = static_cast<ms::NodeId>(state.range(0));
  tbb::task_arena arena(static_cast<int>(state.range(1)));
  std::uint64_t seed = 0, edges = 0;
  arena.execute([&] {
    for (auto _ : state) {
      auto net = make(kind, n, ++seed);
      edges += net.edge_count();
      benchmark::DoNotOptimize(net.adjacency().data());
    }
  });
  state.counters["edges_per_s"] = benchmark::Counter(static_cast<double>(edges), benchmark::Counter::kIsRate);
}

// A whole cascade on 10^6 agents: share thresholds normal(0.2, 0.1) censored at 0 (2.3%
// start at 0), run until nobody joins. The network is built once; each iteration builds
// the joiners (the sort or the neighbour counts) and runs every round. Counters: rounds
// per cascade, rounds per second, and agent-rounds per second (agents x rounds / time).
void Cascade(benchmark::State& state, Kind kind) {
  const auto n = static_cast<ms::NodeId>(state.range(0));
  tbb::task_arena arena(static_cast<int>(state.range(1)));
  std::uint64_t rounds = 0, joined = 0;
  arena.execute([&] {
    const auto net = make(kind, n, 1);
    const auto theta = ms::draw_thresholds(n, ms::ThresholdDistribution::normal, 0.2, 0.1, 1, 2);
    for (auto _ : state) {
      ms::ThresholdJoiners joiners(net, theta, ms::ThresholdKind::share);
      while (joiners.step() > 0) ++rounds;
      joined += joiners.participants();
    }
  });
  const auto runs = static_cast<double>(state.iterations());
  state.counters["rounds"] = static_cast<double>(rounds) / runs;
  state.counters["final_share"] = static_cast<double>(joined) / runs / n;
  state.counters["rounds_per_s"] = benchmark::Counter(static_cast<double>(rounds), benchmark::Counter::kIsRate);
  state.counters["agent_rounds_per_s"] =
      benchmark::Counter(static_cast<double>(rounds) * n, benchmark::Counter::kIsRate);
}

// Granovetter's ramp on the complete network: thresholds 0, 1, ..., n-1, one joiner per
// round, so n rounds. Without the sorted boundary each round would scan all n agents.
void Ramp(benchmark::State& state) {
  const auto n = static_cast<ms::NodeId>(state.range(0));
  const auto net = ms::Network::complete(n);
  std::vector<double> theta(n);
  for (ms::NodeId i = 0; i < n; ++i) theta[i] = n - 1 - i;  // reversed: the sort has work to do
  std::uint64_t rounds = 0;
  for (auto _ : state) {
    ms::ThresholdJoiners joiners(net, theta, ms::ThresholdKind::count);
    while (joiners.step() > 0) ++rounds;
  }
  state.counters["rounds_per_s"] = benchmark::Counter(static_cast<double>(rounds), benchmark::Counter::kIsRate);
}

void Args(benchmark::internal::Benchmark* b) {
  for (std::int64_t threads : {1, 2}) b->Args({1000000, threads});
  b->ArgNames({"nodes", "threads"})->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK_CAPTURE(Generate, random, kRandom)->Apply(Args);
BENCHMARK_CAPTURE(Generate, small_world, kSmallWorld)->Apply(Args);
BENCHMARK_CAPTURE(Generate, scale_free, kScaleFree)->Apply(Args);
BENCHMARK_CAPTURE(Cascade, complete, kComplete)->Apply(Args);
BENCHMARK_CAPTURE(Cascade, random, kRandom)->Apply(Args);
BENCHMARK_CAPTURE(Cascade, small_world, kSmallWorld)->Apply(Args);
BENCHMARK_CAPTURE(Cascade, scale_free, kScaleFree)->Apply(Args);

BENCHMARK(Ramp)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
