#pragma once
// boltzmann_wealth: random pairwise money exchange (docs/models/boltzmann_wealth.md).
// The model class is public so benchmarks can time a round on its own.
#include <cstdint>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/shuffle.hpp"

namespace marketsim {

ScenarioInfo describe_boltzmann_wealth();

class BoltzmannWealth {
 public:
  explicit BoltzmannWealth(Run& run);
  void step(std::int64_t round);
  void record(Run& run);
  void finish(Run& run);

 private:
  void exchange(std::uint32_t i, std::uint32_t j, Stream& s);

  std::uint64_t seed_;
  std::uint32_t n_;
  bool unit_rule_, matching_;
  double saving_;
  std::int64_t scale_;                // 1 (unit rule) or micro-units per unit
  std::vector<std::int64_t> money_;   // holdings, integer units: conserved exactly
  __int128 initial_total_;
  std::vector<std::uint32_t> order_;  // this round's activation order / matching
  Permuter permuter_;
};

}  // namespace marketsim
