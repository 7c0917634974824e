#pragma once
// hq_bidding: cities bid subsidies for a firm's headquarters, under no pact, a contingent
// "I will if you will" pact (match | cap | ban, binding iff signers >= threshold) or a
// subsidy cap mandated from above. One round = one contest among the same cities (fresh
// draws), so `rounds` > 1 is a repeated contest (the `learning` strategy).
// Equations, timing, results and tests: docs/models/hq_bidding.md; the contest
// mechanism: scenarios/hq_bidding/contest.hpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "agents/learning.hpp"
#include "scenarios/hq_bidding/contest.hpp"
#include "sim/scenario.hpp"

namespace marketsim {

ScenarioInfo describe_hq_bidding();

class HqBidding {
 public:
  explicit HqBidding(Run& run);
  void step(std::int64_t round);
  void record(Run& run);
  void finish(Run& run);

  struct Tables;  // parameter-only tables (equilibria, score laws), cached per thread
  struct Mixed;   // the two-class tables for m bound cities, cached per thread and m

  // The last contest (for tests): each city's subsidy bid, perceived value v_i, fundamentals
  // a_i and whether it was bound; the unit cost of subsidy of a bound / free city.
  std::span<const double> bids() const { return bid_; }
  std::span<const double> values() const { return value_; }
  std::span<const double> fundamentals() const { return fundamentals_; }
  std::span<const std::uint8_t> bound() const { return bound_; }
  double unit_cost(bool bound) const { return contest::unit_cost(terms_, bound); }
  // The two-class equilibrium (class 0 bound, 1 free) equilibrium bidders use when m cities
  // are bound; null where the symmetric tables are exact (m = 0 or n, equal costs, other strategies).
  const contest::TwoClassScoringEquilibrium* mixed_equilibrium(std::int64_t m) const;

 private:
  enum class Strategy { naive, equilibrium, learning };
  enum class Coordination { none, pact, cap };
  struct Laws {  // what bids and expected payoffs use in a contest with a given number of bound cities
    const contest::ScoringEquilibrium *eq_free, *eq_bound;  // symmetric tables, or
    const contest::TwoClassScoringEquilibrium* mixed;       // the two-class one
    const contest::ScoreCdf *score_bound, *score_free;      // a bound / free rival's score law
    bool fallback;  // a mixed contest whose two-class table failed: the symmetric ones instead
  };
  Laws laws(std::int64_t bound_cities) const;
  double bid(std::size_t i, double cost, double limit, const Laws& laws) const;
  double expected_payoff(std::size_t i, double subsidy, double cost, std::int64_t bound_rivals,
                         std::int64_t free_rivals, const Laws& laws) const;

  std::uint64_t seed_;
  std::size_t n_;
  Strategy strategy_;
  Coordination coordination_;
  std::string sign_rule_;
  std::int64_t threshold_;
  std::size_t fixed_signers_ = 0;
  bool public_, ex_ante_;
  double naive_share_;
  // draws: ln B ~ N(ln_mu, ln_sd^2) (or uniform on [benefit_lo, benefit_hi]); the cities'
  // posterior of ln B given ln b - assumed_bias is N(ln_mu + shrink (.. - ln_mu), post_var)
  double ln_mu_ = 0, ln_sd_ = 0, benefit_lo_ = 0, benefit_hi_ = 0, bias_ = 0, assumed_bias_ = 0, estimate_sd_ = 0;
  double shrink_ = 1, post_var_ = 0, fund_mean_ = 0, fund_sd_ = 0;
  contest::PactTerms terms_;    // the pact's (or the mandated cap's) terms
  AuctionRules firm_;
  std::shared_ptr<const Tables> tables_;
  mutable std::vector<std::shared_ptr<const Mixed>> mixed_;  // by m, filled on first use
  mutable double mixed_accuracy_ = 0;                       // max accuracy of the two-class tables used
  std::optional<learning::RothErev> learner_;
  std::vector<double> levels_;  // learning: bid fractions

  std::vector<double> benefit_, fundamentals_, value_, bid_, payoff_, fraction_;
  std::vector<std::uint8_t> bound_, breach_;
  std::vector<std::uint32_t> action_;

  // last contest and run totals
  contest::ContestOutcome last_;
  std::size_t last_signers_ = 0;
  bool last_active_ = false;
  double last_fraction_ = 0;
  std::int64_t contests_ = 0;
  double sum_subsidy_ = 0, sum_net_ = 0, sum_curse_ = 0, sum_school_ = 0, sum_welfare_ = 0, sum_firm_ = 0,
         sum_cities_ = 0, sum_efficient_ = 0, sum_formed_ = 0, sum_signers_ = 0, sum_breaches_ = 0,
         sum_penalties_ = 0, sum_benefit_ = 0, sum_fund_ = 0, sum_cost_ = 0, sum_multiple_ = 0, sum_passes_ = 0,
         sum_sold_ = 0, sum_identity_ = 0, sum_two_class_ = 0, sum_fallback_ = 0;
};

}  // namespace marketsim
