#pragma once
// co_creation: firms that co-create products with their customers versus firms that
// design from the top (docs/models/co_creation.md).
//
// Consumers have ideal points in a `dims`-dimensional feature space, drawn around
// `niches` drifting cluster centres. Every firm launches from one market-research study;
// afterwards a top-down firm repeats the study (a uniform sample of the whole market,
// observed with `research_noise`) every `review_period` rounds, while a co-creative firm
// listens every round to the ideas that a share `participation` of its own customers
// submit (with `idea_noise`, weighted toward the most vocal). Both types turn their data
// into designs with the same aggregation rule (mean, median, or weighted k-means into
// `variants` products), pay the same fixed cost per variant, and face the same consumer
// choice rule (highest utility net of switching costs; ties broken by the random stream).
// References: Hotelling (1929) location; Galton (1907) and Page (2007), wisdom of crowds
// and the diversity prediction theorem; Prahalad and Ramaswamy (2004), co-creation.
//
// The mechanisms below are free functions over flat arrays so that tests and other
// scenarios can call them; the model class is public so benchmarks can time a round.
#include <cstdint>
#include <span>
#include <vector>

#include "analysis/round_metrics.hpp"
#include "sim/random.hpp"
#include "sim/scenario.hpp"

namespace marketsim {

ScenarioInfo describe_co_creation();

namespace co_creation {

// The products on offer in a round: product p belongs to firm[p], costs price[p] and sits
// at location[p * dims + d].
struct Menu {
  std::size_t dims = 0;
  std::vector<std::int32_t> firm;
  std::vector<double> price;
  std::vector<double> location;
  std::size_t size() const { return firm.size(); }
};

// What a consumer weighs besides the products: the firm it bought from last round
// (-1: none), the firm whose co-creation it joined last round (-1: none), and the terms.
struct Chooser {
  double quality = 1.0;     // common gross value of any product
  double loyalty = 0.0;     // switching cost paid to buy from a firm other than last_firm
  double bonus = 0.0;       // participation bonus on the products of bonus_firm
};

// Utility of each product for a consumer at `ideal`, net of switching costs:
//   u_p = quality - |ideal - location_p|^2 - price_p + bonus [firm_p == bonus_firm]
//         - loyalty [last_firm >= 0 and firm_p != last_firm].
// The outside option (not buying) is worth 0 and costs no switch. `out` has menu.size().
// Returns the smallest squared distance from `ideal` to any product (for niche coverage).
double net_utilities(std::span<const double> ideal, const Menu& menu, const Chooser& terms, std::int32_t last_firm,
                   std::int32_t bonus_firm, std::span<double> out);

// The choice rule: the index of the offer with the highest net utility, or -1 for the
// outside option (utility 0). Ties (exactly equal utilities, the outside option included)
// are broken uniformly at random with words from `tie` (drawn only when there is a tie),
// never by position.
std::int32_t choose(std::span<const double> net_utility, Stream& tie);

// k indices drawn uniformly, with replacement, from all n consumers: market research
// samples the whole market, customers of every firm and non-buyers alike.
std::vector<std::uint32_t> sample_market(Stream& stream, std::uint32_t n, std::uint32_t k);

enum class Aggregation { Mean, Median, Clusters };

// Turns weighted points (points[i * dims + d], weights[i] > 0) into designs, in place:
// `designs` holds the current design locations (one for Mean and Median, the number of
// variants for Clusters) and is updated. Mean: the weighted mean. Median: the weighted
// coordinate-wise median (the lower one at an exact half). Clusters: `iterations` rounds
// of weighted Lloyd k-means started from the current designs (a design whose cluster is
// empty stays where it is). No points: designs unchanged. Deterministic given the order
// of the points.
void aggregate(Aggregation rule, std::size_t dims, std::span<const double> points, std::span<const double> weights,
               std::vector<double>& designs, int iterations = 8);

}  // namespace co_creation

class CoCreation {
 public:
  explicit CoCreation(Run& run);
  void step(std::int64_t round);
  void record(Run& run);
  void finish(Run& run);

  // For tests and benchmarks.
  const co_creation::Menu& menu() const { return menu_; }
  bool co_creative(std::size_t firm) const { return firm < n_cocreative_; }
  std::size_t firms() const { return designs_.size(); }
  const std::vector<double>& design(std::size_t firm) const { return designs_[firm]; }
  double fixed_cost(std::size_t firm) const;  // per round, per consumer of the market
  double price(std::size_t firm) const { return price_[firm]; }
  ~CoCreation();

 private:
  struct Block;  // per-block totals of a round, summed in block order
  void redesign(std::uint32_t t);
  void set_prices(std::uint32_t t);
  void drift(std::uint32_t t);
  void choose_all(std::uint32_t t);
  void build_menu();

  std::uint64_t seed_;
  std::uint32_t n_, dims_, niches_;
  std::size_t n_cocreative_;
  double spread_, drift_sd_, research_noise_, participation_, idea_noise_, vocal_bias_, cc_cost_;
  double variant_cost_, unit_cost_, price_step_, radius_;
  std::uint32_t research_sample_, review_period_;
  co_creation::Aggregation rule_;
  bool public_designs_, hill_climb_;
  co_creation::Chooser terms_;

  // Consumers (structure of arrays): niche, standardised offset z (ideal = centre + spread z),
  // vocal weight of an idea, last firm bought from, firm whose co-creation they joined.
  std::vector<std::uint32_t> niche_;
  std::vector<double> offset_;
  std::vector<double> voice_;
  std::vector<std::int32_t> last_firm_, next_firm_, joined_, next_joined_;
  std::vector<double> centres_;  // niches * dims

  // Firms.
  std::vector<std::vector<double>> designs_;  // per firm: variants * dims
  std::vector<double> price_, profit_, previous_profit_, direction_;
  std::vector<std::int64_t> sales_;
  std::vector<std::vector<double>> ideas_, idea_weights_;  // per firm, from last round
  std::vector<Block> blocks_;
  co_creation::Menu menu_;

  // This round's outcomes, for record(); running sums over rounds, for finish().
  analysis::RoundMetrics now_;  // this round's outcomes, their series and means
  std::int64_t rounds_done_ = 0;
};

}  // namespace marketsim
