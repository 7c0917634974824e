// Threshold joiners (agents/threshold_joiners.hpp) and the threshold_cascade scenario
// against Granovetter (1978) and Watts (2002); docs/models/threshold_cascade.md.
#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "agents/threshold_joiners.hpp"
#include "sim/scenario.hpp"

namespace ms = marketsim;

namespace {

constexpr std::uint32_t kThresholdTag = 2;  // the scenario's threshold stream (model page)

const ms::ScenarioInfo& cascade() { return ms::Registry::instance().get("threshold_cascade"); }

ms::Params params(std::vector<ms::Assignment> set) {
  return ms::resolve(cascade().schema, set, "test");
}

ms::Assignment set(std::string key, ms::Value v) { return {std::move(key), std::move(v), "test", false}; }

struct Outcome {
  double final_share, final_count, stop_round, converged, reached_all, initial_count;
  std::vector<double> participants;
};

Outcome run(const ms::Params& p, std::uint64_t seed) {
  auto r = ms::run_scenario(cascade(), p, seed);
  return {r.scalars[0], r.scalars[1], r.scalars[2], r.scalars[3], r.scalars[4], r.scalars[5], r.series[1]};
}

std::string error_of(const std::vector<ms::Assignment>& set) {
  try {
    params(set);
  } catch (const ms::Error& e) {
    return e.what();
  }
  return "";
}

std::vector<double> ramp(int n) {
  std::vector<double> t(n);
  std::iota(t.begin(), t.end(), 0.0);
  return t;
}

// Granovetter's recursion on the complete network, computed from the thresholds alone:
// r(0) = #{theta <= 0}, r(t+1) = #{theta <= r(t)} = N F(r(t)), until it stops.
std::vector<double> granovetter_fixed_point(std::vector<double> theta) {
  std::sort(theta.begin(), theta.end());
  auto at_most = [&](double r) { return static_cast<double>(std::upper_bound(theta.begin(), theta.end(), r) - theta.begin()); };
  std::vector<double> r{at_most(0.0)};
  while (true) {
    const double next = at_most(r.back());
    if (next == r.back()) return r;
    r.push_back(next);
  }
}

// The mean-field of Granovetter's normal example: r = N Phi((r - mean) / sd) iterated from 0.
double normal_mean_field(double n, double mean, double sd) {
  double r = 0;
  for (int t = 0; t < 100000; ++t) {
    const double next = n * 0.5 * std::erfc(-(r - mean) / (sd * std::sqrt(2.0)));
    if (std::fabs(next - r) < 1e-12) break;
    r = next;
  }
  return r;
}

}  // namespace

// ---- the mechanism on small hand-made networks ---------------------------------------------

TEST(ThresholdJoiners, PathGraphCountsNeighboursSynchronously) {
  // 0-1-2-3-4. Round 1: agent 1 sees agent 0; agent 2 sees nobody yet (synchronous).
  const std::vector<ms::Edge> path = {{0, 1}, {1, 2}, {2, 3}, {3, 4}};
  auto net = ms::Network::from_edges(5, path);
  ms::ThresholdJoiners j(net, {0, 1, 1, 2, 1}, ms::ThresholdKind::count);
  EXPECT_EQ(j.participants(), 1u);
  EXPECT_EQ(j.pending(), 1u);
  EXPECT_EQ(j.step(), 1u);  // agent 1
  EXPECT_TRUE(j.joined(1));
  EXPECT_FALSE(j.joined(2));
  EXPECT_EQ(j.step(), 1u);  // agent 2
  EXPECT_EQ(j.observed(3), 1.0);  // one of agent 3's neighbours; it needs 2
  EXPECT_EQ(j.step(), 0u);
  EXPECT_EQ(j.participants(), 3u);
  EXPECT_FALSE(j.joined(3));
  EXPECT_FALSE(j.joined(4));

  // All thresholds 1: exactly one new agent per round (an in-place update would take one).
  ms::ThresholdJoiners chain(net, {0, 1, 1, 1, 1}, ms::ThresholdKind::count);
  for (int t = 1; t <= 4; ++t) EXPECT_EQ(chain.step(), 1u) << "round " << t;
  EXPECT_EQ(chain.step(), 0u);
}

TEST(ThresholdJoiners, StarGraphUsesTheShareOfNeighbours) {
  // Centre 0 with leaves 1..4. Leaves 1 and 2 start; the centre needs half its neighbours;
  // leaves 3 and 4 need all of theirs (the centre).
  const std::vector<ms::Edge> star = {{0, 1}, {0, 2}, {0, 3}, {0, 4}};
  auto net = ms::Network::from_edges(5, star);
  ms::ThresholdJoiners j(net, {0.5, 0, 0, 1, 1}, ms::ThresholdKind::share);
  EXPECT_EQ(j.observed(0), 0.5);
  EXPECT_EQ(j.step(), 1u);
  EXPECT_TRUE(j.joined(0));
  EXPECT_EQ(j.step(), 2u);
  EXPECT_EQ(j.participants(), 5u);
  EXPECT_EQ(j.step(), 0u);

  // An isolated agent observes a share of 0 and never joins with a positive threshold.
  auto lonely = ms::Network::from_edges(2, {});
  ms::ThresholdJoiners k(lonely, {0, 0.1}, ms::ThresholdKind::share);
  EXPECT_EQ(k.observed(1), 0.0);
  EXPECT_EQ(k.step(), 0u);
}

TEST(ThresholdJoiners, CompleteNetworkSeesThePopulation) {
  auto net = ms::Network::complete(4);
  ms::ThresholdJoiners count(net, {0, 0, 2, 3}, ms::ThresholdKind::count);
  EXPECT_EQ(count.observed(2), 2.0);
  EXPECT_EQ(count.step(), 1u);
  EXPECT_EQ(count.step(), 1u);
  EXPECT_EQ(count.participation(), 1.0);
  // share: participants among the other n-1 = 3 agents.
  ms::ThresholdJoiners share(net, {0, 0.5, 0.6, 1}, ms::ThresholdKind::share);
  EXPECT_DOUBLE_EQ(share.observed(1), 1.0 / 3);
  EXPECT_EQ(share.step(), 0u);
}

TEST(ThresholdJoiners, RoundsEqualTheBruteForceSynchronousUpdate) {
  // The joiners examine only agents whose view changed; a plain synchronous update of
  // everyone from the previous state must give the same state after every round.
  auto brute_force_round = [](const ms::Network& net, const std::vector<double>& theta, ms::ThresholdKind kind,
                              const std::vector<std::uint8_t>& x) {
    std::vector<std::uint8_t> next = x;
    for (ms::NodeId i = 0; i < net.size(); ++i) {
      if (x[i]) continue;
      double seen = 0;
      net.for_each_neighbour(i, [&](ms::NodeId j) { seen += x[j]; });
      const double d = net.degree(i);
      const double o = kind == ms::ThresholdKind::count ? seen : (d > 0 ? seen / d : 0.0);
      next[i] = o >= theta[i];
    }
    return next;
  };
  const std::vector<ms::Network> networks = {ms::erdos_renyi(3000, 5, 1, 1), ms::watts_strogatz(3000, 6, 0.2, 1, 1),
                                             ms::barabasi_albert(3000, 2, 1, 1), ms::Network::complete(500)};
  for (std::size_t g = 0; g < networks.size(); ++g) {
    const ms::NodeId n = networks[g].size();
    for (auto kind : {ms::ThresholdKind::count, ms::ThresholdKind::share}) {
      SCOPED_TRACE(fmt::format("network {} kind {}", g, static_cast<int>(kind)));
      const bool count = kind == ms::ThresholdKind::count;
      const double mean = count ? (g == 3 ? 50.0 : 1.5) : 0.2, sd = count ? (g == 3 ? 35.0 : 1.0) : 0.15;
      auto theta = ms::draw_thresholds(n, ms::ThresholdDistribution::normal, mean, sd, 4, 1);
      ms::ThresholdJoiners j(networks[g], theta, kind);
      std::vector<std::uint8_t> x(j.state().begin(), j.state().end());
      for (int t = 1; t <= 60; ++t) {
        auto next = brute_force_round(networks[g], theta, kind, x);
        const auto expected = std::count(next.begin(), next.end(), 1) - std::count(x.begin(), x.end(), 1);
        EXPECT_EQ(j.pending(), static_cast<std::uint64_t>(expected));
        EXPECT_EQ(j.step(), static_cast<std::uint64_t>(expected));
        x = next;
        ASSERT_TRUE(std::equal(x.begin(), x.end(), j.state().begin())) << "round " << t;
      }
      EXPECT_EQ(j.pending(), 0u);  // 60 rounds are enough for these cascades to stop
      EXPECT_GT(j.participants(), n / 20);  // and they did spread
    }
  }
}

TEST(ThresholdJoiners, BadArgumentsAreErrors) {
  auto net = ms::Network::complete(3);
  EXPECT_THROW(ms::ThresholdJoiners(net, {0, 1}, ms::ThresholdKind::count), ms::Error);
  EXPECT_THROW(ms::ThresholdJoiners(net, {0, 1, std::nan("")}, ms::ThresholdKind::count), ms::Error);
  ms::ThresholdJoiners j(net, {0, 1, 2}, ms::ThresholdKind::count);
  EXPECT_THROW(j.observed(3), ms::Error);
  EXPECT_THROW(ms::threshold_kind("number"), ms::Error);
  EXPECT_THROW(ms::threshold_distribution("lognormal"), ms::Error);
  EXPECT_THROW(ms::draw_thresholds(3, ms::ThresholdDistribution::normal, 1, -1, 1, 1), ms::Error);
}

TEST(ThresholdJoiners, DrawnThresholdsHaveTheirMomentsAndAreCensoredAtZero) {
  const std::uint32_t n = 200000;
  for (auto dist : {ms::ThresholdDistribution::normal, ms::ThresholdDistribution::uniform}) {
    // Far from 0: mean and sd as asked.
    auto t = ms::draw_thresholds(n, dist, 50, 10, 7, 1);
    double sum = 0, sq = 0;
    for (double x : t) sum += x, sq += x * x;
    const double mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
    EXPECT_NEAR(mean, 50, 0.1);
    EXPECT_NEAR(sd, 10, 0.1);
    // Mean 0: half the draws are negative and become 0.
    auto c = ms::draw_thresholds(n, dist, 0, 1, 7, 1);
    const auto zeros = std::count(c.begin(), c.end(), 0.0);
    EXPECT_NEAR(static_cast<double>(zeros) / n, 0.5, 0.005);
    EXPECT_EQ(*std::min_element(c.begin(), c.end()), 0.0);
  }
  // Uniform with mean 50, sd 10 lies in [50 - 10 sqrt 3, 50 + 10 sqrt 3].
  auto u = ms::draw_thresholds(n, ms::ThresholdDistribution::uniform, 50, 10, 7, 1);
  EXPECT_GE(*std::min_element(u.begin(), u.end()), 50 - 10 * std::sqrt(3.0));
  EXPECT_LT(*std::max_element(u.begin(), u.end()), 50 + 10 * std::sqrt(3.0));
  // Agent i's threshold depends on (seed, tag, i) only, not on n.
  auto small = ms::draw_thresholds(10, ms::ThresholdDistribution::normal, 50, 10, 7, 1);
  auto big = ms::draw_thresholds(1000, ms::ThresholdDistribution::normal, 50, 10, 7, 1);
  EXPECT_TRUE(std::equal(small.begin(), small.end(), big.begin()));
}

// ---- Granovetter (1978) on the complete network ----------------------------------------------

TEST(ThresholdCascade, UniformThresholdsCascadeToEveryone) {
  // Thresholds 0, 1, ..., 99: one more agent joins each round until all 100 have.
  auto p = params({set("threshold_dist", std::string("list")), set("thresholds", ramp(100))});
  auto o = run(p, 1);
  EXPECT_EQ(o.final_count, 100);
  EXPECT_EQ(o.reached_all, 1);
  EXPECT_EQ(o.stop_round, 99);
  EXPECT_EQ(o.converged, 1);
  EXPECT_EQ(o.initial_count, 1);
  for (std::size_t t = 0; t < o.participants.size(); ++t) EXPECT_EQ(o.participants[t], std::min<double>(t + 1, 100));
}

TEST(ThresholdCascade, ChangingOneThresholdStopsTheCascadeAfterOneAgent) {
  auto theta = ramp(100);
  theta[1] = 2;  // the agent with threshold 1 now needs 2: nobody follows the first
  auto o = run(params({set("threshold_dist", std::string("list")), set("thresholds", theta)}), 1);
  EXPECT_EQ(o.final_count, 1);
  EXPECT_EQ(o.reached_all, 0);
  EXPECT_EQ(o.stop_round, 0);
  EXPECT_EQ(o.converged, 1);
}

TEST(ThresholdCascade, TooFewRoundsIsReportedAsNotConverged) {
  auto o = run(params({set("threshold_dist", std::string("list")), set("thresholds", ramp(100)),
                       set("rounds", std::int64_t{10})}),
               1);
  EXPECT_EQ(o.final_count, 11);
  EXPECT_EQ(o.stop_round, 10);
  EXPECT_EQ(o.converged, 0);
}

TEST(ThresholdCascade, NormalThresholdsFollowTheFixedPointOfTheirDistribution) {
  // Every run equals Granovetter's recursion r(t+1) = N F(r(t)) on its own thresholds,
  // round by round, and the final participation is its fixed point.
  for (double sd : {4.0, 8.0, 12.0, 16.0, 20.0}) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      SCOPED_TRACE(fmt::format("sd {} seed {}", sd, seed));
      auto o = run(params({set("threshold_sd", sd)}), seed);
      auto r = granovetter_fixed_point(ms::draw_thresholds(100, ms::ThresholdDistribution::normal, 25, sd, seed, kThresholdTag));
      ASSERT_EQ(o.converged, 1);
      EXPECT_EQ(o.final_count, r.back());
      EXPECT_EQ(o.stop_round, static_cast<double>(r.size() - 1));
      for (std::size_t t = 0; t < o.participants.size(); ++t) EXPECT_EQ(o.participants[t], r[std::min(t, r.size() - 1)]);
    }
  }
}

TEST(ThresholdCascade, NormalExampleJumpsFromFewToNearlyAllAtACriticalSpread) {
  // Mean field (Granovetter's figure): at mean 25 the equilibrium jumps between sd 12.2
  // and 12.3 from about 5 to nearly all 100.
  EXPECT_LT(normal_mean_field(100, 25, 12.2), 6);
  EXPECT_GT(normal_mean_field(100, 25, 12.3), 99.9);
  // Simulation, 100 agents, 200 replications per sd: few join below the critical spread,
  // nearly all above it, and the mean rises with the spread. (With 100 agents the jump is
  // smoothed: each run either stalls early or takes nearly everyone, and the chance of the
  // latter rises from 0 near sd 10 to 1 near sd 20; docs/models/threshold_cascade.md.)
  double previous = -1;
  for (double sd : {4.0, 8.0, 10.0, 14.0, 17.0, 20.0}) {
    SCOPED_TRACE(sd);
    auto p = params({set("threshold_sd", sd)});
    double sum = 0;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) sum += run(p, seed).final_share;
    const double share = sum / 200;
    if (sd <= 10) EXPECT_LT(share, 0.03);
    if (sd >= 17) EXPECT_GT(share, 0.95);
    EXPECT_GE(share, previous);
    previous = share;
  }
}

// ---- networks -------------------------------------------------------------------------------

TEST(ThresholdCascade, ImplicitAndExplicitCompleteNetworksAgree) {
  // random with mean_degree = agents - 1 is G(n, 1): the complete graph, stored explicitly.
  for (const char* kind : {"count", "share"}) {
    SCOPED_TRACE(kind);
    const double mean = std::string(kind) == "count" ? 25 : 0.25;
    const double sd = std::string(kind) == "count" ? 15 : 0.15;
    std::vector<ms::Assignment> base = {set("threshold_kind", std::string(kind)), set("threshold_mean", mean),
                                        set("threshold_sd", sd), set("agents", std::int64_t{300})};
    auto explicit_set = base;
    explicit_set.push_back(set("network", std::string("random")));
    explicit_set.push_back(set("mean_degree", 299.0));
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      auto a = ms::run_scenario(cascade(), params(base), seed);
      auto b = ms::run_scenario(cascade(), params(explicit_set), seed);
      EXPECT_EQ(a, b) << "seed " << seed;
    }
  }
}

// Watts (2002): on G(n, z/n) with share thresholds phi and one initial seed, global
// cascades happen only inside a window of mean degree z. The cascade condition (his eq. 5
// with rho_k = 1 for k <= 1/phi): sum_k k (k-1) p_k rho_k > z, p_k Poisson(z).
bool watts_cascade_condition(double z, double phi) {
  double sum = 0, pk = std::exp(-z);  // p_0
  for (int k = 0; k <= static_cast<int>(std::floor(1 / phi)); ++k) {
    if (k > 0) pk *= z / k;
    sum += static_cast<double>(k) * (k - 1) * pk;
  }
  return sum > z;
}

TEST(ThresholdCascade, SparseNetworksCascadeOnlyInsideWattsWindow) {
  const double phi = 0.18;
  EXPECT_FALSE(watts_cascade_condition(0.8, phi));  // below: no giant component
  EXPECT_TRUE(watts_cascade_condition(4, phi));
  EXPECT_FALSE(watts_cascade_condition(8, phi));  // above: too few vulnerable agents
  auto global_cascades = [&](const char* network, double z, double* mean_size) {
    auto p = params({set("agents", std::int64_t{10000}), set("threshold_kind", std::string("share")),
                     set("threshold_mean", phi), set("threshold_sd", 0.0), set("instigators", std::int64_t{1}),
                     set("network", std::string(network)), set("mean_degree", z), set("rounds", std::int64_t{1000})});
    int global = 0;
    double size = 0;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
      auto o = run(p, seed);
      EXPECT_EQ(o.converged, 1);
      EXPECT_EQ(o.initial_count, 1);
      if (o.final_share > 0.5) ++global, size += o.final_share;
    }
    if (mean_size) *mean_size = global ? size / global : 0;
    return global;
  };
  double inside_size = 0;
  const int inside = global_cascades("random", 4, &inside_size);
  EXPECT_GE(inside, 10);         // a seed landing in the vulnerable cluster tips the network
  EXPECT_GT(inside_size, 0.9);   // ... and then nearly everyone joins
  EXPECT_EQ(global_cascades("random", 0.8, nullptr), 0);
  EXPECT_EQ(global_cascades("random", 8, nullptr), 0);
  // On the complete network one seed is 1/(N-1) of everyone's view: nobody follows.
  EXPECT_EQ(global_cascades("complete", 4, nullptr), 0);
}

TEST(ThresholdCascade, InstigatorsStartTheCascade) {
  auto p = params({set("agents", std::int64_t{1000}), set("threshold_mean", 5.0), set("threshold_sd", 0.0),
                   set("instigators", std::int64_t{4})});
  auto o = run(p, 3);
  EXPECT_EQ(o.initial_count, 4);
  EXPECT_EQ(o.final_count, 4);  // 4 < 5: nobody follows
  auto q = params({set("agents", std::int64_t{1000}), set("threshold_mean", 5.0), set("threshold_sd", 0.0),
                   set("instigators", std::int64_t{5})});
  EXPECT_EQ(run(q, 3).final_count, 1000);
}

TEST(ThresholdCascade, SameSeedSameResultAtAnyThreadCount) {
  for (const char* network : {"random", "small_world", "scale_free"}) {
    SCOPED_TRACE(network);
    auto p = params({set("agents", std::int64_t{50000}), set("threshold_kind", std::string("share")),
                     set("threshold_mean", 0.2), set("threshold_sd", 0.1), set("network", std::string(network)),
                     set("mean_degree", 6.0), set("rounds", std::int64_t{30})});
    ms::RunResult one, two;
    tbb::task_arena(1).execute([&] { one = ms::run_scenario(cascade(), p, 9); });
    tbb::task_arena(2).execute([&] { two = ms::run_scenario(cascade(), p, 9); });
    EXPECT_EQ(one, two);
    EXPECT_NE(one, ms::run_scenario(cascade(), p, 10));
  }
}

TEST(ThresholdCascade, BadParametersGiveClearErrors) {
  EXPECT_NE(error_of({set("threshold_dist", std::string("list")), set("thresholds", ramp(99))})
                .find("thresholds is empty or lists exactly `agents` values"),
            std::string::npos);
  EXPECT_NE(error_of({set("thresholds", ramp(100))}).find("threshold_dist = list exactly when thresholds is non-empty"),
            std::string::npos);
  EXPECT_NE(error_of({set("threshold_dist", std::string("list"))}).find("threshold_dist = list exactly when"),
            std::string::npos);
  EXPECT_NE(error_of({set("instigators", std::int64_t{101})}).find("instigators <= agents"), std::string::npos);
  EXPECT_NE(error_of({set("network", std::string("random")), set("mean_degree", 100.0)}).find("mean_degree <= agents - 1"),
            std::string::npos);
  EXPECT_NE(error_of({set("network", std::string("small_world")), set("mean_degree", 5.0)}).find("even integer"),
            std::string::npos);
  EXPECT_NE(error_of({set("network", std::string("smallworld"))}).find("did you mean 'small_world'"), std::string::npos);
  EXPECT_NE(error_of({set("threshold_dist", std::string("list")), set("thresholds", std::vector<double>(100, -1.0))})
                .find("out of range"),
            std::string::npos);
}
