#pragma once
// Sweep specifications and their expansion into tasks.
//
//   scenario = "boltzmann_wealth"
//   replications = 10
//   seed = 42
//   seeding = "common"            # or "independent"
//   [fixed]                       # held at one value
//   agents = 2000
//   [axes]                        # crossed (grid design)
//   rule = ["unit", "random_split"]
//   saving = { linspace = [0.0, 0.75, 4] }
//   initial_money = { range = [1, 10, 3] }       # start, stop (excluded), step
//
// or, instead of [axes], a sampled design:
//   [sample]
//   method = "latin_hypercube"    # or "random"
//   count = 50
//   ranges = { saving = [0.0, 0.9], initial_money = [1, 20] }
//
// A task is (point, replication); task index = point * replications + replication, with
// points numbered row-major over the axes.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/params.hpp"
#include "sim/scenario.hpp"

namespace marketsim {

enum class Design { Grid, Random, LatinHypercube };

struct Axis {
  std::string name;
  std::vector<Value> values;
};

struct SampledRange {
  std::string name;
  double lo = 0, hi = 0;
};

// A whole file as text; an Error naming the file and the reason when it cannot be read.
std::string read_text_file(const std::string& path);

struct SweepSpec {
  std::string scenario;
  std::vector<Assignment> fixed;
  Design design = Design::Grid;
  std::vector<Axis> axes;             // Grid
  std::int64_t samples = 0;           // Random / LatinHypercube
  std::vector<SampledRange> ranges;   // Random / LatinHypercube
  std::int64_t replications = 1;
  std::uint64_t seed = 0;
  bool independent_seeds = false;
  // Outcomes the CLI's summary table shows, in this order (empty: all). Presentation
  // only: not part of the canonical text, so it changes no file and no fingerprint.
  std::vector<std::string> summary;
  std::string summary_origin;         // "file:line" of the summary key, for errors
  std::string origin;                 // file name, for errors and metadata

  static SweepSpec from_file(const std::string& path);
  static SweepSpec from_string(const std::string& text, const std::string& origin);
  std::string to_toml() const;        // canonical text, stored in every output file
};

struct SweepPlan {
  const ScenarioInfo* scenario = nullptr;
  SweepSpec spec;
  std::vector<std::string> dims;       // point dimensions: axis names, {"point"} or {}
  std::vector<std::size_t> shape;      // their sizes
  std::vector<Axis> coords;            // coordinate values along the dims (grid), or per
                                       // point for each sampled parameter (sampled design)
  std::vector<Params> points;          // validated parameters of each point
  std::int64_t replications = 1;
  std::vector<std::uint64_t> seeds;    // per task
  std::uint64_t fingerprint = 0;       // of everything that determines the results
  std::size_t max_samples = 0;         // longest series over points
  std::vector<std::size_t> max_vector; // longest of each vector output over points
  bool single_run = false;             // one run with an explicit seed (`marketsim run`)

  std::size_t n_points() const { return points.size(); }
  std::size_t n_tasks() const { return seeds.size(); }
  std::size_t point_of(std::size_t task) const { return task / static_cast<std::size_t>(replications); }
};

// Expands and validates every point before anything runs.
SweepPlan plan_sweep(const SweepSpec& spec);

// A plan of one run with an explicit seed (`marketsim run`), stored like a sweep.
SweepPlan plan_single(const ScenarioInfo& scenario, const std::vector<Assignment>& params, std::uint64_t seed);

// Reads parameter assignments from a TOML config file (`run --config`): top-level
// keys are parameters; errors name the file and line.
std::vector<Assignment> read_config(const std::string& path);

}  // namespace marketsim
