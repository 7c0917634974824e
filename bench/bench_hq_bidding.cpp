// Throughput of the location contest: hq_bidding contests per second at 50, 10^3 and 10^5
// cities (equilibrium bidders, free-for-all and pact; the parameter-only tables are cached
// per thread, as in a sweep), and stadium_pact years per second (30 teams; 60 and 10^4 cities);
// the build of one two-class equilibrium table (contest::TwoClassScoringEquilibrium, grid 512
// and its check at 1024) for m of 5 bidders bound, pseudo-types as in hq_bidding (lognormal
// values, equal fundamentals, unit costs 1.5 and 1), and for m of 50 (grid 256, costs 3.5 and 1).
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <vector>

#include "scenarios/hq_bidding/contest.hpp"
#include "sim/distributions.hpp"
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

// Pseudo-types x = 1 + v / c of `count` bidders, v lognormal with the posterior law of
// hq_bidding's defaults (equal fundamentals); the support starts at the lowest type of the
// class with unit cost `bound_cost`.
marketsim::contest::BidderClass pseudo_types(double c, std::int64_t count, double bound_cost) {
  const double s2 = std::log1p(0.09), k = s2 / (s2 + 0.09), mu = -s2 / 2 + s2 * 0.09 / (s2 + 0.09) / 2;
  const double sd = std::sqrt(k * s2), lo = std::exp(mu - 8 * sd), hi = std::exp(mu + 8 * sd);
  auto cdf = [=](double x) {
    const double v = c * (x - 1);
    return v <= 0 ? 0.0 : marketsim::standard_normal_cdf((std::log(v) - mu) / sd);
  };
  return {cdf, 1 + lo / bound_cost, 1 + hi / c, count};
}

void BM_TwoClassTable(benchmark::State& state) {  // 5 bidders, m bound at unit cost 1.5, grid 512
  const auto bound = state.range(0);
  for (auto _ : state)
    benchmark::DoNotOptimize(marketsim::contest::TwoClassScoringEquilibrium(pseudo_types(1.5, bound, 1.5),
                                                                              pseudo_types(1.0, 5 - bound, 1.5), 0, 512));
}
BENCHMARK(BM_TwoClassTable)->Arg(1)->Arg(2)->Arg(3)->Arg(4)->Unit(benchmark::kMillisecond);

void BM_TwoClassTableHq(benchmark::State& state) {  // 50 cities, m bound at cost 3.5 (match 5), grid 256
  const auto bound = state.range(0);
  for (auto _ : state)
    benchmark::DoNotOptimize(marketsim::contest::TwoClassScoringEquilibrium(pseudo_types(3.5, bound, 3.5),
                                                                              pseudo_types(1.0, 50 - bound, 3.5), 0, 256));
}
BENCHMARK(BM_TwoClassTableHq)->Arg(1)->Arg(25)->Arg(49)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
