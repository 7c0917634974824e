#pragma once
// boltzmann_wealth: random pairwise money exchange (docs/models/boltzmann_wealth.md).
// The model class is public so benchmarks can time a round on its own.
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/shuffle.hpp"

namespace marketsim {

ScenarioInfo describe_boltzmann_wealth();

// The random words of one exchange at a position of the round (activation position under
// `sequential`, pair index under `matching`): two words of the Philox block that the
// positions 2g and 2g+1 share (halving the Philox work), then, only if a rejection in a
// bounded draw asks for more, the position's own stream (tag 3). A word source for
// uniform_below.
class ExchangeDraws {
 public:
  ExchangeDraws() = default;
  ExchangeDraws(std::uint64_t seed, std::uint32_t position, std::uint32_t round,
                std::uint32_t first, std::uint32_t second);
  std::uint32_t operator()() { return used_ < 2 ? words_[used_++] : extra(); }

 private:
  std::uint32_t extra();

  std::uint32_t words_[2] = {0, 0};
  int used_ = 0;
  std::uint64_t seed_ = 0;
  std::uint32_t position_ = 0, round_ = 0;
  std::optional<Stream> extra_;
};

class BoltzmannWealth {
 public:
  explicit BoltzmannWealth(Run& run);
  void step(std::int64_t round);
  void record(Run& run);
  void finish(Run& run);

 private:
  [[gnu::always_inline]] inline void exchange(std::uint32_t i, std::uint32_t j, ExchangeDraws& draws);

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
