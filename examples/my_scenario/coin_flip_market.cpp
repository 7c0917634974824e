// coin_flip_market: an example plugin scenario (docs/adding-a-scenario.md).
//
// `traders` traders each hold one unit of a good they value at a uniform random value in
// [0, 1]. Each round every trader meets a random partner and offers the good at the
// midpoint of their values; the trade happens if the partner values it more. The
// outcomes: how much of the possible gain from reallocation the random meetings realise.
#include <algorithm>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "sim/scenario.hpp"

namespace {

constexpr std::uint32_t kValueTag = 1;  // one tag per purpose of randomness
constexpr std::uint32_t kMeetTag = 2;

marketsim::ScenarioInfo describe() {
  marketsim::ScenarioInfo s;
  s.name = "coin_flip_market";
  s.summary = "Random meetings reallocate goods to those who value them most";
  s.story = "An example plugin: traders meet at random and trade when the buyer values the good more.";
  s.default_rounds = 20;
  auto& p = *s.schema;
  p.integer("traders", 1000, {2, 1e8}, "traders", "number of traders");
  p.real("holders", 0.5, {0.0, 1.0}, "1", "share of traders who start with the good");
  s.scalar("efficiency", "1", "value held at the end over the maximum possible");
  s.scalar("trades", "trades", "number of trades");
  s.series_output("value_held", "1", "total value of the goods held, by round");
  return s;
}

class CoinFlipMarket {
 public:
  explicit CoinFlipMarket(marketsim::Run& run) : run_(run) {
    const auto n = static_cast<std::uint32_t>(run.params().integer("traders"));
    value_.resize(n);
    has_.resize(n);
    boost::random::uniform_real_distribution<double> u(0.0, 1.0);
    for (std::uint32_t i = 0; i < n; ++i) {
      auto s = run.stream(kValueTag, i);
      value_[i] = u(s);
      has_[i] = u(s) < run.params().real("holders");
    }
  }
  void step(std::int64_t round) {
    const auto n = static_cast<std::uint32_t>(value_.size());
    for (std::uint32_t i = 0; i < n; ++i) {
      auto s = run_.stream(kMeetTag, i, static_cast<std::uint32_t>(round));
      auto j = static_cast<std::uint32_t>(s.below(n - 1));
      j += j >= i;
      if (has_[i] && !has_[j] && value_[j] > value_[i]) has_[i] = false, has_[j] = true, ++trades_;
    }
  }
  void record(marketsim::Run& run) { run.record("value_held", held()); }
  void finish(marketsim::Run& run) {
    std::vector<double> sorted(value_);
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    const auto goods = static_cast<std::size_t>(std::count(has_.begin(), has_.end(), true));
    const double best = std::accumulate(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(goods), 0.0);
    run.set("efficiency", best > 0 ? held() / best : 1.0);
    run.set("trades", static_cast<double>(trades_));
  }

 private:
  double held() const {
    double v = 0;
    for (std::size_t i = 0; i < value_.size(); ++i) v += has_[i] ? value_[i] : 0.0;
    return v;
  }
  marketsim::Run& run_;
  std::vector<double> value_;
  std::vector<bool> has_;
  long trades_ = 0;
};

}  // namespace

MARKETSIM_SCENARIO(describe, CoinFlipMarket);
