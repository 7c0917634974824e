// A small scenario registered only in the test binary: it exercises symbolic defaults,
// cross-parameter checks, series and a vector whose length depends on a parameter.
#include <cmath>
#include <vector>

#include "sim/scenario.hpp"

namespace {

marketsim::ScenarioInfo describe_toy() {
  marketsim::ScenarioInfo s;
  s.name = "test_toy";
  s.summary = "test scenario: random walkers";
  s.story = "Walkers take uniform steps; used by the engine tests.";
  s.default_rounds = 5;
  auto& p = *s.schema;
  p.integer("walkers", 10, {1, 1e6}, "agents", "number of walkers");
  p.integer("threshold", 0, {1, 1e6}, "agents", "walkers that count");
  p.symbol("threshold", "all", "walkers", true);
  p.real("step", 1.0, {0, 10}, "1", "step size");
  p.choice("mode", "walk", {"walk", "stay"}, "behaviour");
  p.check({"threshold", "walkers"}, "threshold <= walkers",
          [](const marketsim::Params& q) { return q.integer("threshold") <= q.integer("walkers"); });
  s.scalar("final_mean", "1", "mean position at the end");
  s.scalar("counted", "agents", "the threshold in force");
  s.series_output("mean_t", "1", "mean position");
  s.vector("positions", "walker", "1", "final positions", [](const marketsim::Params& q) {
    return static_cast<std::size_t>(q.integer("walkers"));
  });
  return s;
}

class Toy {
 public:
  explicit Toy(marketsim::Run& run)
      : run_(run), x_(static_cast<std::size_t>(run.params().integer("walkers")), 0.0),
        step_(run.params().choice("mode") == "walk" ? run.params().real("step") : 0.0) {}
  void step(std::int64_t t) {
    for (std::size_t i = 0; i < x_.size(); ++i)
      x_[i] += step_ * (run_.stream(1, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(t)).uniform01() - 0.5);
  }
  void record(marketsim::Run& run) { run.record("mean_t", mean()); }
  void finish(marketsim::Run& run) {
    run.set("final_mean", mean());
    run.set("counted", static_cast<double>(run.params().integer("threshold")));
    run.set_vector("positions", x_);
  }

 private:
  double mean() const {
    double s = 0;
    for (double v : x_) s += v;
    return s / static_cast<double>(x_.size());
  }
  marketsim::Run& run_;
  std::vector<double> x_;
  double step_;
};

}  // namespace

MARKETSIM_SCENARIO(describe_toy, Toy);
