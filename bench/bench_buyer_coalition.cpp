// buyer_coalition: buyer-rounds per second of one round of the model (offers, pledges over
// the small-world network, the pact, bargaining, trades, disclosure and learning), at 10^4
// and 10^6 buyers, 1 and 2 threads, for private (individual prices) and public (a uniform
// band, a sort per round) disclosure. Figures: docs/performance.md.
//
//   build/bench/marketsim_bench_buyer_coalition --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>

#include <string>

#include "scenarios/buyer_coalition/buyer_coalition.hpp"
#include "sim/scenario.hpp"

namespace ms = marketsim;

namespace {

void BuyerCoalitionRound(benchmark::State& state) {
  const auto buyers = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  const bool public_prices = state.range(2) != 0;
  const auto& info = ms::Registry::instance().get("buyer_coalition");
  auto params = ms::resolve(info.schema,
                            {{"buyers", buyers, "", false},
                             {"threshold", buyers / 10, "", false},
                             {"disclosure", std::string(public_prices ? "public" : "private"), "", false}},
                            "bench");
  ms::Run run(info, params, 1, nullptr);
  tbb::task_arena arena(threads);
  arena.execute([&] {
    ms::BuyerCoalition model(run);
    std::int64_t round = 0;
    for (auto _ : state) model.step(++round);
  });
  state.counters["buyer_rounds_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * buyers), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BuyerCoalitionRound)
    ->ArgsProduct({{10000, 1000000}, {1, 2}, {0, 1}})
    ->ArgNames({"buyers", "threads", "public"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
