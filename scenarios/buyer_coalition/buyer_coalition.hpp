#pragma once
// buyer_coalition: customers who find each other (seed 003: "what would happen if 10,000
// Wells Fargo customers had found each other?"). docs/models/buyer_coalition.md.
//
// A dominant seller with unit cost c prices every buyer individually from a noisy signal
// of its value (seller_info_sd) and adapts each price by accept/reject; a competitive
// fringe sells at fringe_price (every buyer's outside option). Buyers on a social network
// hear of a coalition through neighbours who pledged and pledge when the expected gain
// beats their joining cost. A `coalition` binds at any size, a `pact` only once
// `threshold` buyers pledged (markets/threshold_pledge.hpp). An active coalition bargains
// as one (generalised Nash, markets/bargaining.hpp) with collective exit to the fringe as
// threat point; the closed form is collective_price(). Deals are disclosed through a
// markets/disclosure.hpp channel, which sets the reference price each buyer refuses to
// exceed by more than `tolerance`, and so how far the seller can discriminate.
// References: Nash (1950); Granovetter (1978); Cullen and Pakzad-Hurson (2023).
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "agents/staircase.hpp"
#include "markets/disclosure.hpp"
#include "markets/network.hpp"
#include "analysis/round_metrics.hpp"
#include "sim/scenario.hpp"

namespace marketsim {

ScenarioInfo describe_buyer_coalition();

namespace buyer_coalition {

// Generalised Nash price for a coalition whose members (values v_i, fringe options f_i =
// fringe price + the member's distance d_i, +inf without a fringe) all buy one unit at one
// price P from a seller of unit cost c; threat point: every member exits to the fringe
// (payoff max(v_i - f_i, 0); the seller loses the sales). With buyers' power a:
//   P = c + (1 - a) (mean_i min(v_i, f_i) - c),
// and P = c when that mean is below c. The members who buy are the largest set K with
// min(v_i, f_i) >= P(K) (found by dropping members below the price until none is;
// dropping raises P, so it stops). Returns P and how many buy, or NaN and 0 when no
// member can pay the cost. Error on power outside [0, 1] or sizes that differ.
struct CollectivePrice {
  double price;
  std::size_t buyers;
};
CollectivePrice collective_price(std::span<const double> values, std::span<const double> fringe, double cost,
                                 double power);

// The uniform base price P of a seller facing buyers whose acceptance thresholds
// (largest acceptable price) it estimates as `thresholds`, when the lowest published
// price caps every buyer at P + tolerance: each buyer with threshold >= P is offered
// min(threshold, P + tolerance, cap + tolerance) and the seller maximises
//   sum_{thr_i >= P} (min(thr_i, P + tol, cap + tol) - c)
// over P in {thresholds clamped to [c, cap + tol]}. Ties: the lowest such P. `cap`: the
// last round's lowest published price (+inf if none). Deterministic (sorted prefix sums).
double uniform_base_price(std::span<const double> thresholds, double cost, double tolerance, double cap);

}  // namespace buyer_coalition

class BuyerCoalition {
 public:
  enum class Coordination { none, coalition, pact };
  enum class Trade : std::uint8_t { none, seller, fringe };

  explicit BuyerCoalition(Run& run);
  ~BuyerCoalition();
  void step(std::int64_t round);
  void record(Run& run);
  void finish(Run& run);

  // For tests and benchmarks: this round's records, per buyer.
  std::span<const double> values() const { return value_; }
  std::span<const double> fringe_options() const { return fringe_option_; }  // f + d_i
  std::span<const double> offers() const { return offer_; }  // the seller's posted offers
  std::span<const double> prices() const { return price_; }  // NaN unless bought
  std::span<const Trade> trades() const { return trade_; }
  std::span<const std::uint8_t> members() const { return member_; }
  bool active() const { return active_; }
  double coalition_price() const { return coalition_price_; }  // NaN if none this round

  // This round's accounting terms (totals over buyers, not per buyer).
  struct Accounts {
    double buyer_surplus = 0, seller_profit = 0, fringe_surplus = 0, deadweight_loss = 0, joining_costs = 0,
           max_surplus = 0;
  };
  const Accounts& accounts() const { return accounts_; }

 private:
  struct Block;
  template <class F>
  void for_blocks(F&& f);  // f(block, begin, end) over fixed blocks of buyers, in parallel
  bool banded(std::uint32_t i) const;  // priced in a uniform band (a common reference price)
  void post_offers(std::uint32_t t);
  double expected_price(std::uint32_t t) const;  // the coalition price non-members expect
  void pledge(std::uint32_t t);
  void bargain();
  void trade();
  void learn();
  double ask(std::uint32_t i) const;  // the price the seller's staircase asks of buyer i
  // The lowest price buyer i sees among the deals disclosed by the end of round t-1
  // (the last round, or the last lag+1 rounds under `delayed`); NaN if it sees none.
  double reference(std::uint32_t i, std::uint32_t t) const;

  std::uint64_t seed_;
  std::uint32_t n_;
  Coordination coordination_;
  disclosure::Rule rule_;
  double cost_, fringe_price_, fringe_cap_, fringe_cost_, join_cost_, power_, tolerance_, price_step_, forget_, prior_price_;
  bool fringe_;
  std::int64_t threshold_, lag_, organisers_;
  Network network_;
  std::unique_ptr<disclosure::Channel> channel_;

  // Buyers (structure of arrays).
  std::vector<Staircase> ask_;  // the seller's, per buyer, on minus the price
  std::vector<double> value_, fringe_option_, offer_, price_, reference_, surplus_;
  std::vector<Trade> trade_;
  std::vector<std::uint8_t> pledged_, member_, next_pledged_, organiser_;
  std::vector<std::int64_t> signature_;  // 1 per pledger, for the pledge settlement
  std::vector<double> coalition_prices_;  // per round (index t), NaN if none
  std::vector<double> lowest_price_, lowest_group_price_;  // per round: lowest seller price, all / pledgers
  bool active_ = false;
  double coalition_price_, base_price_ = std::numeric_limits<double>::quiet_NaN();
  std::int64_t activation_round_ = 0, pledgers_ = 0, coalition_buyers_ = 0;
  std::vector<double> joined_now_;  // join cost paid this round, per buyer

  std::vector<Block> blocks_;
  Accounts accounts_;
  analysis::RoundMetrics now_;  // this round's outcomes and their means over rounds
};

}  // namespace marketsim
