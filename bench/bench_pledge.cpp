// assurance_contract and collective_boycott: contributor-rounds and prospect-rounds per
// second of whole runs (20 rounds each, Roth-Erev learners; the run includes drawing the
// population). Figures: docs/performance.md.
//
//   build/bench/marketsim_bench_pledge --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <string>

#include "sim/scenario.hpp"

namespace ms = marketsim;

namespace {

constexpr std::int64_t kRounds = 20;

void run_scenario(benchmark::State& state, const char* name, const char* population,
                  std::vector<ms::Assignment> extra) {
  const auto agents = state.range(0);
  const auto& info = ms::Registry::instance().get(name);
  extra.push_back({population, agents, "", false});
  extra.push_back({"rounds", kRounds, "", false});
  const auto params = ms::resolve(info.schema, extra, "bench");
  std::uint64_t seed = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ms::run_scenario(info, params, ++seed));
  state.counters["agent_rounds_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * agents * kRounds), benchmark::Counter::kIsRate);
}

void AssuranceSealed(benchmark::State& state) {
  run_scenario(state, "assurance_contract", "contributors", {{"information", std::string("sealed"), "", false}});
}
void AssuranceLive(benchmark::State& state) {
  run_scenario(state, "assurance_contract", "contributors", {{"information", std::string("live"), "", false}});
}
void AssuranceEquilibriumLive(benchmark::State& state) {
  run_scenario(state, "assurance_contract", "contributors",
               {{"information", std::string("live"), "", false}, {"behaviour", std::string("equilibrium"), "", false}});
}
void BoycottDivideAndConquer(benchmark::State& state) {
  // Threshold at 40% of the prospects and detection 0.1: binding boycotts get peeled.
  run_scenario(state, "collective_boycott", "prospects",
               {{"divide_and_conquer", true, "", false}, {"detect_prob", 0.1, "", false},
                {"threshold", static_cast<std::int64_t>(state.range(0) * 2 / 5), "", false}});
}

}  // namespace

BENCHMARK(AssuranceSealed)->Arg(100)->Arg(100000)->ArgNames({"contributors"})->Unit(benchmark::kMillisecond);
BENCHMARK(AssuranceLive)->Arg(100)->Arg(100000)->ArgNames({"contributors"})->Unit(benchmark::kMillisecond);
BENCHMARK(AssuranceEquilibriumLive)->Arg(100000)->ArgNames({"contributors"})->Unit(benchmark::kMillisecond);
BENCHMARK(BoycottDivideAndConquer)->Arg(1000)->Arg(100000)->ArgNames({"prospects"})->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
