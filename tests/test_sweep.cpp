// Sweep specs, expansion into tasks, seeds, the registry conformance test, and
// thread-count independence.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "sim/error.hpp"
#include "sim/runner.hpp"
#include "sim/sweep.hpp"

namespace ms = marketsim;

namespace {
std::string error_of(const std::string& spec) {
  try {
    ms::plan_sweep(ms::SweepSpec::from_string(spec, "spec.toml"));
  } catch (const ms::Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Sweep, AxesAreCrossedRowMajor) {
  auto plan = ms::plan_sweep(ms::SweepSpec::from_string(R"(
scenario = "test_toy"
replications = 3
seed = 5
[fixed]
step = 2.0
[axes]
walkers = [4, 8]
mode = ["walk", "stay"]
rounds = { range = [1, 7, 3] }
)", "spec.toml"));
  EXPECT_EQ(plan.dims, (std::vector<std::string>{"walkers", "mode", "rounds"}));
  EXPECT_EQ(plan.shape, (std::vector<std::size_t>{2, 2, 2}));
  ASSERT_EQ(plan.n_points(), 8u);
  EXPECT_EQ(plan.n_tasks(), 24u);
  // Last axis fastest.
  EXPECT_EQ(plan.points[0].integer("rounds"), 1);
  EXPECT_EQ(plan.points[1].integer("rounds"), 4);
  EXPECT_EQ(plan.points[2].choice("mode"), "stay");
  EXPECT_EQ(plan.points[4].integer("walkers"), 8);
  // The symbolic default follows the swept walkers.
  EXPECT_EQ(plan.points[0].integer("threshold"), 4);
  EXPECT_EQ(plan.points[7].integer("threshold"), 8);
  EXPECT_DOUBLE_EQ(plan.points[5].real("step"), 2.0);
  // Longest series and vectors over the points.
  EXPECT_EQ(plan.max_samples, 5u);
  EXPECT_EQ(plan.max_vector[0], 8u);
  // Common random numbers: task seeds depend on the replication only.
  for (std::size_t t = 0; t < plan.n_tasks(); ++t) EXPECT_EQ(plan.seeds[t], plan.seeds[t % 3]);
  EXPECT_EQ(plan.seeds[0], ms::derive_seed(5, 0, false));
  std::set<std::uint64_t> distinct(plan.seeds.begin(), plan.seeds.end());
  EXPECT_EQ(distinct.size(), 3u);
}

TEST(Sweep, IndependentSeedsDifferAcrossPoints) {
  auto plan = ms::plan_sweep(ms::SweepSpec::from_string(
      "scenario = \"test_toy\"\nreplications = 2\nseeding = \"independent\"\n[axes]\nstep = [1.0, 2.0]\n", "s"));
  std::set<std::uint64_t> distinct(plan.seeds.begin(), plan.seeds.end());
  EXPECT_EQ(distinct.size(), 4u);
}

TEST(Sweep, LinspaceIncludesBothEnds) {
  auto spec = ms::SweepSpec::from_string("scenario = \"test_toy\"\n[axes]\nstep = { linspace = [0.0, 1.0, 5] }\n", "s");
  ASSERT_EQ(spec.axes[0].values.size(), 5u);
  EXPECT_EQ(std::get<double>(spec.axes[0].values[1]), 0.25);
  EXPECT_EQ(std::get<double>(spec.axes[0].values[4]), 1.0);
}

TEST(Sweep, LatinHypercubeHasOnePointPerStratum) {
  auto plan = ms::plan_sweep(ms::SweepSpec::from_string(R"(
scenario = "test_toy"
seed = 3
[sample]
method = "latin_hypercube"
count = 20
ranges = { step = [0.0, 10.0], walkers = [1, 20] }
)", "s"));
  EXPECT_EQ(plan.dims, std::vector<std::string>{"point"});
  ASSERT_EQ(plan.coords.size(), 2u);
  std::set<int> strata, walkers;
  for (const auto& v : plan.coords[0].values) strata.insert(static_cast<int>(std::get<double>(v) / 0.5));
  for (const auto& v : plan.coords[1].values) walkers.insert(static_cast<int>(std::get<std::int64_t>(v)));
  EXPECT_EQ(strata.size(), 20u);
  EXPECT_EQ(walkers.size(), 20u);  // integers 1..20, one each
  EXPECT_EQ(plan.points[3].real("step"), std::get<double>(plan.coords[0].values[3]));
}

TEST(Sweep, SpecErrorsAreClear) {
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[axes]\nstep = []\n").find("spec.toml:3: axis 'step' is empty"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"tset_toy\"\n").find("unknown scenario 'tset_toy' (did you mean 'test_toy'?)"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\nreplicatoins = 3\n").find("spec.toml:2: unknown key 'replicatoins' in the sweep spec (did you mean 'replications'?)"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[axes]\nsteps = [1.0]\n").find("unknown parameter 'steps' (did you mean 'step'?)"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[fixed]\nstpe = 1.0\n").find("spec.toml:3: test_toy: unknown parameter 'stpe' (did you mean 'step'?)"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[fixed]\nstep = 20.0\n").find("spec.toml:3: test_toy: parameter 'step' = 20.0 is out of range [0, 10]"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[axes]\nstep = [1.0, 20.0]\n").find("'step' = 20.0 is out of range"), std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[axes]\nrecord_every = [1, 2]\n").find("record_every cannot vary"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[fixed]\nstep = 1.0\n[axes]\nstep = [1.0]\n").find("both in [fixed] and in the axes"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[axes]\nwalkers = [5]\n[sample]\ncount = 3\nranges = { step = [0.0, 1.0] }\n").find("not both"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[axes]\nwalkers = [2, 5]\nthreshold = [3]\n").find("violate 'threshold <= walkers'"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[axes]\nthreshold = [3, \"all\"]\n").find("axis 'threshold' mixes symbolic values and numbers"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\nreplications = 0\n").find("'replications' = 0 must be at least 1"),
            std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[fixed]\nstep = [1.0]\n").find("belongs in [axes]"), std::string::npos);
  EXPECT_NE(error_of("scenario = \"test_toy\"\n[axes\n").find("spec.toml:2:"), std::string::npos);
}

// Conformance over the whole registry: every scenario loads with its defaults, runs a
// short case, produces every declared output with its declared length, and gives
// identical output for the same seed.
TEST(Conformance, EveryRegisteredScenario) {
  auto& reg = ms::Registry::instance();
  ASSERT_GE(reg.names().size(), 2u);
  for (const auto& name : reg.names()) {
    SCOPED_TRACE(name);
    const auto& info = reg.get(name);
    auto params = ms::resolve(info.schema, {{"rounds", std::int64_t{3}, "test", false}, {"record_every", std::int64_t{1}, "test", false}}, name);
    auto a = ms::run_scenario(info, params, 17);
    auto b = ms::run_scenario(info, params, 17);
    EXPECT_EQ(a, b);
    ASSERT_EQ(a.scalars.size(), info.scalars.size());
    ASSERT_EQ(a.series.size(), info.series.size());
    for (const auto& s : a.series) EXPECT_EQ(s.size(), 4u);
    for (std::size_t v = 0; v < info.vectors.size(); ++v) EXPECT_EQ(a.vectors[v].size(), info.vectors[v].length(params));
    auto c = ms::run_scenario(info, params, 18);
    EXPECT_NE(a, c) << "a different seed should change something";
  }
}

TEST(Sweep, ResultsDoNotDependOnThreadCount) {
  auto plan = ms::plan_sweep(ms::SweepSpec::from_string(R"(
scenario = "boltzmann_wealth"
replications = 4
[fixed]
agents = 20000
rounds = 5
record_every = 1
[axes]
schedule = ["sequential", "matching"]
rule = ["unit", "random_split"]
)", "s"));
  auto collect = [&](int threads) {
    std::vector<ms::RunResult> results(plan.n_tasks());
    ms::SweepOptions opt;
    opt.threads = threads;
    opt.on_result = [&](std::size_t t, const ms::RunResult& r) { results[t] = r; };
    auto out = ms::run_sweep(plan, opt);
    EXPECT_EQ(out.completed, plan.n_tasks());
    return results;
  };
  auto one = collect(1), two = collect(2);
  for (std::size_t t = 0; t < plan.n_tasks(); ++t) EXPECT_EQ(one[t], two[t]) << "task " << t;
}

TEST(Sweep, ARunErrorStopsTheSweepWithItsMessage) {
  ms::ScenarioInfo bad;
  bad.name = "test_failing";
  bad.summary = "fails";
  bad.scalars.push_back({"x", "1", "never set"});
  bad.run = [](ms::Run&) {};
  bad.schema->integer("rounds", 1, {0, 10}, "rounds", "");
  bad.schema->integer("record_every", 1, {1, 10}, "rounds", "");
  auto plan = ms::plan_single(bad, {}, 1);  // kept out of the registry
  try {
    ms::run_sweep(plan, {});
    FAIL();
  } catch (const ms::Error& e) {
    EXPECT_NE(std::string(e.what()).find("test_failing: the run did not set scalar output 'x'"), std::string::npos);
  }
}

// The caller's stop flag is the caller's: a sweep that completes leaves it false, so the
// same flag (a CLI's signal flag, a Python session's) serves the next sweep.
TEST(Sweep, ACompletedSweepLeavesTheStopFlagAlone) {
  auto plan = ms::plan_sweep(ms::SweepSpec::from_string(
      "scenario = \"boltzmann_wealth\"\nreplications = 3\n[fixed]\nagents = 50\nrounds = 5\n", "s"));
  std::atomic<bool> stop{false};
  ms::SweepOptions opt;
  opt.threads = 2;
  opt.stop = &stop;
  for (int i = 0; i < 2; ++i) {
    auto out = ms::run_sweep(plan, opt);
    EXPECT_EQ(out.completed, plan.n_tasks());
    EXPECT_FALSE(out.interrupted);
    EXPECT_FALSE(stop.load());
  }
}
