// Engine and boltzmann_wealth benchmarks. Figures and machine: docs/performance.md.
//
//   build/bench/marketsim_bench                        # everything
//   build/bench/marketsim_bench --benchmark_filter=Boltzmann
#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>

#include <filesystem>
#include <numeric>

#include "scenarios/boltzmann_wealth/boltzmann_wealth.hpp"
#include "sim/random.hpp"
#include "sim/runner.hpp"
#include "sim/shuffle.hpp"
#include "sim/sweep.hpp"

namespace ms = marketsim;

namespace {

// A scenario that does nothing: what is left is the engine's own cost per task.
ms::ScenarioInfo describe_empty() {
  ms::ScenarioInfo s;
  s.name = "bench_empty";
  s.summary = "does nothing";
  s.default_rounds = 1;
  s.schema->integer("x", 0, {0, 1e9}, "", "unused");
  s.scalar("value", "1", "always 0");
  return s;
}
struct Empty {
  explicit Empty(ms::Run&) {}
  void step(std::int64_t) {}
  void record(ms::Run&) {}
  void finish(ms::Run& run) { run.set("value", 0.0); }
};
MARKETSIM_SCENARIO(describe_empty, Empty);

// Agent exchanges per second: one round of boltzmann_wealth = `agents` exchanges
// (sequential) or agents/2 pair exchanges touching every agent (matching); counted as
// agent-steps, one per agent per round.
void Boltzmann(benchmark::State& state, const char* schedule, const char* rule) {
  const auto agents = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  const auto& info = ms::Registry::instance().get("boltzmann_wealth");
  auto params = ms::resolve(info.schema,
                            {{"agents", agents, "", false},
                             {"schedule", std::string(schedule), "", false},
                             {"rule", std::string(rule), "", false}},
                            "bench");
  ms::Run run(info, params, 1, nullptr);
  tbb::task_arena arena(threads);
  arena.execute([&] {
    ms::BoltzmannWealth model(run);
    std::int64_t round = 0;
    for (auto _ : state) model.step(++round);
  });
  state.SetItemsProcessed(state.iterations() * agents);
  state.counters["agent_steps_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * agents), benchmark::Counter::kIsRate);
}

void BoltzmannArgs(benchmark::internal::Benchmark* b) {
  for (std::int64_t n : {1000, 100000, 10000000})
    for (std::int64_t threads : {1, 2}) b->Args({n, threads});
  b->ArgNames({"agents", "threads"})->Unit(benchmark::kMillisecond)->UseRealTime();
}

// The bare hand-written loop of the same rules: Fisher-Yates shuffle, one Philox draw
// and two updates per agent (the unit rule). The ceiling for the sequential schedule.
void BareLoop(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  std::vector<std::int64_t> money(n, 10);
  std::vector<std::uint32_t> order(n);
  std::uint32_t round = 0;
  for (auto _ : state) {
    ++round;
    std::iota(order.begin(), order.end(), 0u);
    ms::Stream shuffle(1, 1, 0, round);
    for (std::uint32_t k = n; k > 1; --k) std::swap(order[k - 1], order[shuffle.below(k)]);
    for (std::uint32_t k = 0; k < n; ++k) {
      const std::uint32_t i = order[k];
      ms::Stream s(1, 2, i, round);
      auto j = static_cast<std::uint32_t>(s.below(n - 1));
      j += j >= i;
      if (money[i] > 0) --money[i], ++money[j];
    }
    benchmark::DoNotOptimize(money.data());
  }
  state.counters["agent_steps_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}

void Permutation(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  tbb::task_arena arena(static_cast<int>(state.range(1)));
  ms::Permuter p;
  std::vector<std::uint32_t> out;
  std::uint32_t round = 0;
  arena.execute([&] {
    for (auto _ : state) p.permute(1, 1, ++round, n, out);
  });
  state.counters["items_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}

// Runs per second of a sweep of 10^4 short runs (100 agents, 20 rounds), in memory.
void SweepThroughput(benchmark::State& state) {
  auto plan = ms::plan_sweep(ms::SweepSpec::from_string(
      "scenario = \"boltzmann_wealth\"\nreplications = 1000\n[fixed]\nagents = 100\nrounds = 20\n"
      "record_every = 20\n[axes]\nsaving = { linspace = [0.0, 0.9, 10] }\n",
      "bench"));
  for (auto _ : state) {
    ms::SweepOptions opt;
    opt.threads = static_cast<int>(state.range(0));
    auto out = ms::run_sweep(plan, opt);
    benchmark::DoNotOptimize(out.scalars.data());
  }
  state.counters["runs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * plan.n_tasks()), benchmark::Counter::kIsRate);
}

// The engine's cost per task against the empty scenario: planning, seeding, running,
// delivering, and (with a file) journal and HDF5 store.
void EngineCostPerTask(benchmark::State& state) {
  const bool with_file = state.range(0) != 0;
  const std::string out = (std::filesystem::temp_directory_path() / "marketsim_bench_engine.h5").string();
  for (auto _ : state) {
    auto plan = ms::plan_sweep(ms::SweepSpec::from_string(
        "scenario = \"bench_empty\"\nreplications = 100\n[axes]\nx = { range = [0, 100, 1] }\n", "bench"));
    ms::SweepOptions opt;
    opt.threads = 1;
    if (with_file) opt.out = out;
    auto o = ms::run_sweep(plan, opt);
    benchmark::DoNotOptimize(o.scalars.data());
  }
  std::filesystem::remove(out);
  // Inverted rate: seconds per task (shown with an SI prefix, e.g. 2.1u = 2.1 us).
  state.counters["s_per_task"] = benchmark::Counter(static_cast<double>(state.iterations() * 10000),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK_CAPTURE(Boltzmann, sequential_unit, "sequential", "unit")->Apply(BoltzmannArgs);
BENCHMARK_CAPTURE(Boltzmann, sequential_split, "sequential", "random_split")->Apply(BoltzmannArgs);
BENCHMARK_CAPTURE(Boltzmann, matching_unit, "matching", "unit")->Apply(BoltzmannArgs);
BENCHMARK_CAPTURE(Boltzmann, matching_split, "matching", "random_split")->Apply(BoltzmannArgs);
BENCHMARK(BareLoop)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(Permutation)->Args({100000, 1})->Args({10000000, 1})->Args({10000000, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(SweepThroughput)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(EngineCostPerTask)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
