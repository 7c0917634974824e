// Throughput of the location contest: hq_bidding contests per second at 50, 10^3 and 10^5
// cities (equilibrium bidders, free-for-all and pact; the parameter-only tables are cached
// per thread, as in a sweep), and stadium_pact years per second (30 teams; 60 and 10^4 cities).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace ms = marketsim;

namespace {

ms::Params params(const char* scenario, std::vector<std::pair<std::string, std::string>> settings) {
  const auto& info = ms::Registry::instance().get(scenario);
  std::vector<ms::Assignment> assignments;
  for (const auto& [key, value] : settings) assignments.push_back({key, value, "bench", true});
  return ms::resolve(info.schema, assignments, scenario);
}

void BM_HqContests(benchmark::State& state, const char* coordination) {
  const auto cities = std::to_string(state.range(0));
  const std::int64_t rounds = state.range(0) >= 100000 ? 5 : 50;
  const auto& info = ms::Registry::instance().get("hq_bidding");
  const auto p = params("hq_bidding", {{"cities", cities}, {"rounds", std::to_string(rounds)},
                                       {"coordination", coordination}, {"sign_rule", "always"}});
  std::uint64_t seed = 1;
  for (auto _ : state) benchmark::DoNotOptimize(ms::run_scenario(info, p, seed++));
  state.SetItemsProcessed(state.iterations() * rounds);  // contests
}
BENCHMARK_CAPTURE(BM_HqContests, none, "none")->Arg(50)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_HqContests, pact, "pact")->Arg(50)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

void BM_StadiumYears(benchmark::State& state, const char* disclosure) {
  const auto cities = state.range(0);
  const auto& info = ms::Registry::instance().get("stadium_pact");
  const auto p = params("stadium_pact", {{"cities", std::to_string(cities)}, {"teams", "30"},
                                         {"rounds", "100"}, {"coordination", "pact"}, {"disclosure", disclosure}});
  std::uint64_t seed = 1;
  for (auto _ : state) benchmark::DoNotOptimize(ms::run_scenario(info, p, seed++));
  state.SetItemsProcessed(state.iterations() * 100);  // years
}
BENCHMARK_CAPTURE(BM_StadiumYears, private, "private")->Arg(60)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_StadiumYears, public, "public")->Arg(60)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
