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

// One synchronous cascade round at full cost: every agent is a non-participant that
// reads all its neighbours (thresholds too high for anyone to join, so every round
// repeats the same work). Rounds per second = 1 / time per iteration.
void CascadeRound(benchmark::State& state, Kind kind, ms::ThresholdKind threshold) {
  const auto n = static_cast<ms::NodeId>(state.range(0));
  tbb::task_arena arena(static_cast<int>(state.range(1)));
  arena.execute([&] {
    const auto net = make(kind, n, 1);
    std::vector<double> theta(n, 1e9);
    theta[0] = 0;  // one participant, whom nobody follows
    ms::ThresholdJoiners joiners(net, std::move(theta), threshold);
    for (auto _ : state) benchmark::DoNotOptimize(joiners.step());
  });
  state.counters["rounds_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["agent_steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * n, benchmark::Counter::kIsRate);
}

void Args(benchmark::internal::Benchmark* b) {
  for (std::int64_t threads : {1, 2}) b->Args({1000000, threads});
  b->ArgNames({"nodes", "threads"})->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK_CAPTURE(Generate, random, kRandom)->Apply(Args);
BENCHMARK_CAPTURE(Generate, small_world, kSmallWorld)->Apply(Args);
BENCHMARK_CAPTURE(Generate, scale_free, kScaleFree)->Apply(Args);
BENCHMARK_CAPTURE(CascadeRound, complete_count, kComplete, ms::ThresholdKind::count)->Apply(Args);
BENCHMARK_CAPTURE(CascadeRound, random_share, kRandom, ms::ThresholdKind::share)->Apply(Args);
BENCHMARK_CAPTURE(CascadeRound, small_world_share, kSmallWorld, ms::ThresholdKind::share)->Apply(Args);
BENCHMARK_CAPTURE(CascadeRound, scale_free_share, kScaleFree, ms::ThresholdKind::share)->Apply(Args);

BENCHMARK_MAIN();
