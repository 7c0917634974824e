// threshold_cascade: Granovetter's threshold model of collective behaviour on a network.
//
// Each agent joins (a riot, a strike, a pledge) once the number, or the share, of
// participants it observes reaches its own threshold, and then stays. Thresholds are a
// given list or drawn per agent (normal or uniform, censored at 0); agents with threshold
// 0 act unconditionally and start the cascade. On the complete network every agent sees
// the whole population, which is Granovetter (1978); on a random, small-world or
// scale-free network it sees its neighbours (Watts 2002). Rounds are synchronous.
// Mechanisms: agents/threshold_joiners.hpp, markets/network.hpp.
// Equations, known results and tests: docs/models/threshold_cascade.md.
//
// Parameters (name = default [range]):
//   agents = 100 [1, 10^9]           threshold_kind = count | share
//   threshold_dist = normal | uniform | list
//   threshold_mean = 25, threshold_sd = 10 [0, 10^9]   thresholds = [] (list: one per agent)
//   instigators = 0 [0, 10^9]        (random agents whose threshold is set to 0)
//   network = complete | random | small_world | scale_free, mean_degree = 10, rewire = 0.1
//   rounds = 200, record_every = 1
#include <cmath>
#include <limits>
#include <vector>

#include "agents/threshold_joiners.hpp"
#include "markets/network.hpp"
#include "sim/scenario.hpp"
#include "sim/shuffle.hpp"

namespace marketsim {
namespace {

constexpr std::uint32_t kNetworkTag = 1;     // the network's edges
constexpr std::uint32_t kThresholdTag = 2;   // thresholds drawn from the distribution
constexpr std::uint32_t kInstigatorTag = 3;  // which agents are made instigators

ScenarioInfo describe_threshold_cascade() {
  ScenarioInfo s;
  s.name = "threshold_cascade";
  s.summary = "Granovetter threshold cascades: who joins once enough others have, on a network";
  s.story =
      "Each agent joins a collective action once the number (or share) of participants it observes reaches "
      "its threshold, and stays. On the complete network everyone observes the whole population, as in "
      "Granovetter (1978, 'Threshold models of collective behavior'): thresholds 0, 1, ..., N-1 cascade to "
      "all, and with normal thresholds participation jumps from a few to nearly all at a critical spread. "
      "On random, small-world and scale-free networks agents observe their neighbours (Watts 2002).";
  s.default_rounds = 200;
  s.default_record_every = 1;
  auto& p = *s.schema;
  p.integer("agents", 100, {1, 1e9}, "agents", "number of agents N");
  p.choice("threshold_kind", "count", {"count", "share"},
           "count: join when the number of participants observed reaches the threshold; share: when their "
           "share of the agents observed does");
  p.choice("threshold_dist", "normal", {"normal", "uniform", "list"},
           "thresholds: normal(mean, sd) or uniform with that mean and sd, both censored at 0; list: the "
           "`thresholds` parameter");
  p.real("threshold_mean", 25, {-1e9, 1e9}, "agents or 1", "mean of the threshold distribution (before censoring at 0)");
  p.real("threshold_sd", 10, {0, 1e9}, "agents or 1", "standard deviation of the threshold distribution");
  p.real_list("thresholds", {}, {0, 1e18}, "agents or 1",
              "one threshold per agent (threshold_dist = list); empty for a drawn distribution");
  p.integer("instigators", 0, {0, 1e9}, "agents",
            "agents chosen at random whose threshold is set to 0 (they start the cascade)");
  add_network_params(p, "agents");
  p.check({"thresholds", "agents"}, "thresholds is empty or lists exactly `agents` values", [](const Params& q) {
    const auto& t = q.reals("thresholds");
    return t.empty() || static_cast<double>(t.size()) == q.real("agents");
  });
  p.check({"threshold_dist", "thresholds"}, "threshold_dist = list exactly when thresholds is non-empty",
          [](const Params& q) { return (q.choice("threshold_dist") == "list") == !q.reals("thresholds").empty(); });
  p.check({"instigators", "agents"}, "instigators <= agents",
          [](const Params& q) { return q.integer("instigators") <= q.integer("agents"); });
  s.scalar("final_share", "1", "share of agents who have joined at the end");
  s.scalar("final_count", "agents", "number of agents who have joined at the end");
  s.scalar("stop_round", "rounds",
           "last round in which anyone joined (0: only the round-0 starters); the round the cascade stopped when converged = 1");
  s.scalar("converged", "1", "1 if the cascade had stopped by the last round (nobody would join in the next), else 0");
  s.scalar("reached_all", "1", "1 if every agent joined, else 0");
  s.scalar("initial_count", "agents", "agents with threshold 0, who joined at round 0 (instigators included)");
  s.scalar("mean_threshold", "agents or 1", "mean of the thresholds used (after censoring and instigators)");
  s.series_output("participation", "1", "share of agents joined after each sampled round");
  s.series_output("participants", "agents", "number of agents joined after each sampled round");
  return s;
}

std::vector<double> initial_thresholds(const Run& run) {
  const Params& p = run.params();
  const auto n = static_cast<std::uint32_t>(p.integer("agents"));
  std::vector<double> theta =
      p.choice("threshold_dist") == "list"
          ? p.reals("thresholds")
          : draw_thresholds(n, threshold_distribution(p.choice("threshold_dist")), p.real("threshold_mean"),
                            p.real("threshold_sd"), run.seed(), kThresholdTag);
  if (const auto k = static_cast<std::uint32_t>(p.integer("instigators")); k > 0) {
    std::vector<std::uint32_t> order;
    Permuter().permute(run.seed(), kInstigatorTag, 0, n, order);  // the first k: a uniform k-subset
    for (std::uint32_t c = 0; c < k; ++c) theta[order[c]] = 0.0;
  }
  return theta;
}

class ThresholdCascade {
 public:
  explicit ThresholdCascade(Run& run)
      : network_(build_network(run.params(), static_cast<NodeId>(run.params().integer("agents")), run.seed(),
                               kNetworkTag)),
        joiners_(network_, initial_thresholds(run), threshold_kind(run.params().choice("threshold_kind"))),
        initial_count_(joiners_.participants()) {}

  void step(std::int64_t round) {
    if (stopped_) return;  // a round without joiners changes nothing, so neither will later ones
    if (joiners_.step() > 0) last_join_round_ = round;
    else stopped_ = true;
  }

  void record(Run& run) {
    run.record("participation", joiners_.participation());
    run.record("participants", static_cast<double>(joiners_.participants()));
  }

  void finish(Run& run) {
    const bool converged = stopped_ || joiners_.pending() == 0;
    double sum = 0;  // in agent order: deterministic
    for (double t : joiners_.thresholds()) sum += t;
    run.set("final_share", joiners_.participation());
    run.set("final_count", static_cast<double>(joiners_.participants()));
    run.set("stop_round", static_cast<double>(last_join_round_));
    run.set("converged", converged ? 1.0 : 0.0);
    run.set("reached_all", joiners_.participants() == joiners_.size() ? 1.0 : 0.0);
    run.set("initial_count", static_cast<double>(initial_count_));
    run.set("mean_threshold", sum / static_cast<double>(joiners_.size()));
  }

 private:
  Network network_;
  ThresholdJoiners joiners_;
  std::uint64_t initial_count_;
  std::int64_t last_join_round_ = 0;
  bool stopped_ = false;
};

}  // namespace

MARKETSIM_SCENARIO(describe_threshold_cascade, ThresholdCascade);

}  // namespace marketsim
