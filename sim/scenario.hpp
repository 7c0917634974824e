#pragma once
// Scenarios: a descriptor (name, story, parameter schema, declared outputs) plus a model
// class with the rules. The engine owns the bookkeeping: the round loop, sampling of
// series every `record_every` rounds, random streams derived from the run's seed,
// cancellation, and checking that every declared output was produced.
//
// A model is a plain class:
//
//   class MyModel {
//    public:
//     explicit MyModel(marketsim::Run& run);   // read params, draw the initial state
//     void step(std::int64_t round);           // one round, round = 1..rounds
//     void record(marketsim::Run& run);        // sample the series (rounds 0, e, 2e, ...)
//     void finish(marketsim::Run& run);        // set the scalar and vector outputs
//   };
//   MARKETSIM_SCENARIO(describe_my_model, MyModel)
//
// where describe_my_model() returns a ScenarioInfo.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/params.hpp"
#include "sim/random.hpp"

namespace marketsim {

struct OutputSpec {
  std::string name;
  std::string unit;
  std::string doc;
};

// A per-run array outside the round series (e.g. a histogram), along its own dimension.
struct VectorSpec {
  std::string name;
  std::string dim;  // dimension name in HDF5 / xarray, e.g. "wealth_bin"
  std::string unit;
  std::string doc;
  std::function<std::size_t(const Params&)> length;
};

// What one run produces, in declaration order.
struct RunResult {
  std::vector<double> scalars;
  std::vector<std::vector<double>> series;   // each of length n_samples(params)
  std::vector<std::vector<double>> vectors;  // each of length VectorSpec::length(params)
  // Bit for bit (so NaN, e.g. padding or a series before the first period, equals
  // itself): "the same result" in reproducibility checks.
  bool operator==(const RunResult& o) const;
};

class Run;

struct ScenarioInfo {
  std::string name;
  std::string summary;  // one line
  std::string story;    // a paragraph: what it models, references
  std::shared_ptr<Schema> schema = std::make_shared<Schema>();
  std::int64_t default_rounds = 100;
  std::int64_t default_record_every = 1;
  std::vector<OutputSpec> scalars;
  std::vector<OutputSpec> series;
  std::vector<VectorSpec> vectors;
  std::function<void(Run&)> run;  // set by MARKETSIM_SCENARIO
  std::string plugin;             // the shared library it came from, if a plugin

  // Declaration helpers.
  void scalar(std::string name, std::string unit, std::string doc);
  void series_output(std::string name, std::string unit, std::string doc);
  void vector(std::string name, std::string dim, std::string unit, std::string doc,
              std::function<std::size_t(const Params&)> length);
};

// Number of series samples of a run: rounds 0, e, 2e, ... <= rounds.
std::size_t n_samples(const Params& params);

// Thrown out of a run when the sweep is being cancelled.
struct Cancelled {};

// The context of one run: its validated parameters, seed, random streams and outputs.
class Run {
 public:
  // The run keeps references to `info` and `params`: both must outlive it (a temporary
  // Params does not compile).
  Run(const ScenarioInfo& info, const Params& params, std::uint64_t seed, const std::atomic<bool>* cancel);
  Run(const ScenarioInfo& info, Params&& params, std::uint64_t seed, const std::atomic<bool>* cancel) = delete;

  const Params& params() const { return params_; }
  std::uint64_t seed() const { return seed_; }
  const ScenarioInfo& scenario() const { return info_; }

  // The stream of one purpose (tag), agent and round.
  Stream stream(std::uint32_t tag, std::uint32_t agent = 0, std::uint32_t round = 0) const {
    return Stream(seed_, tag, agent, round);
  }

  void set(std::string_view scalar, double value);
  void set_vector(std::string_view name, std::vector<double> values);
  void record(std::string_view series, double value);  // only inside Model::record

  bool cancelled() const { return cancel_ && cancel_->load(std::memory_order_relaxed); }

  // Checks every output is present with its declared length and hands the result over.
  RunResult take_result();

 private:
  std::size_t find(const std::vector<OutputSpec>& outs, std::string_view name, const char* kind) const;

  const ScenarioInfo& info_;
  const Params& params_;
  std::uint64_t seed_;
  const std::atomic<bool>* cancel_;
  RunResult result_;
  std::vector<bool> scalar_set_;
};

// Runs one task: the scenario's model on validated params with the given seed.
RunResult run_scenario(const ScenarioInfo& info, const Params& params, std::uint64_t seed,
                       const std::atomic<bool>* cancel = nullptr);

template <class Model>
void run_rounds(Run& run) {
  const std::int64_t rounds = run.params().integer("rounds");
  const std::int64_t every = run.params().integer("record_every");
  Model model(run);
  model.record(run);
  for (std::int64_t t = 1; t <= rounds; ++t) {
    if (run.cancelled()) throw Cancelled{};
    model.step(t);
    if (t % every == 0) model.record(run);
  }
  model.finish(run);
}

class Registry {
 public:
  static Registry& instance();

  // Adds the engine parameters (rounds, record_every), checks the declaration, stores it.
  bool add(ScenarioInfo info);
  const ScenarioInfo& get(std::string_view name) const;  // Error naming the valid ones
  std::vector<std::string> names() const;

  // Loads plugin libraries from MARKETSIM_PLUGIN_PATH (':'-separated .so files, or
  // folders whose *.so files are all loaded); each registers its scenarios when loaded.
  // A plugin whose scenario cannot be registered (e.g. a name already taken) is an
  // Error naming the plugin. Safe to call repeatedly.
  void load_plugins();
  void load_plugin(const std::string& path);

 private:
  std::vector<std::unique_ptr<ScenarioInfo>> scenarios_;
  std::vector<std::string> loaded_;
  std::string loading_;  // the plugin being loaded, recorded in its scenarios
  std::vector<std::string> rejected_;  // why registrations failed during that load
};

}  // namespace marketsim

#define MARKETSIM_CONCAT_(a, b) a##b
#define MARKETSIM_CONCAT(a, b) MARKETSIM_CONCAT_(a, b)
// Registers a scenario when the library holding it is loaded.
#define MARKETSIM_SCENARIO(describe, Model)                                            \
  static const bool MARKETSIM_CONCAT(marketsim_registered_, __LINE__) = [] {          \
    ::marketsim::ScenarioInfo info = describe();                                        \
    info.run = &::marketsim::run_rounds<Model>;                                         \
    return ::marketsim::Registry::instance().add(std::move(info));                      \
  }()
