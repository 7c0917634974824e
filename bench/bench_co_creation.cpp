// co_creation: consumer-rounds per second of one round of the model (design, drift,
// every consumer's choice, ideas and accounting). Figures: docs/performance.md.
//
//   build/bench/marketsim_bench_co_creation --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>

#include <string>

#include "scenarios/co_creation/co_creation.hpp"
#include "sim/scenario.hpp"

namespace ms = marketsim;

namespace {

void CoCreationRound(benchmark::State& state) {
  const auto consumers = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  const auto& info = ms::Registry::instance().get("co_creation");
  auto params = ms::resolve(info.schema, {{"consumers", consumers, "", false}}, "bench");
  ms::Run run(info, params, 1, nullptr);
  tbb::task_arena arena(threads);
  arena.execute([&] {
    ms::CoCreation model(run);
    std::int64_t round = 0;
    for (auto _ : state) model.step(++round);
  });
  state.counters["consumer_rounds_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * consumers), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(CoCreationRound)
    ->ArgsProduct({{10000, 1000000}, {1, 2}})
    ->ArgNames({"consumers", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
