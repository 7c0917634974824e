// sealed_bid_auction: a validation scenario for the auction mechanisms and bidder
// behaviours (markets/auctions.hpp, agents/bidders.hpp).
//
// One round = one independent single-object auction among `bidders` bidders, so
// `rounds` is the number of auctions in a run. Values are independent private values,
// or a common value V observed with noise (signal_sd). Bidders follow one behaviour:
// the risk-neutral symmetric equilibrium, truthful bidding, fixed shading, or naive
// bidding of the signal. It reproduces revenue equivalence (Vickrey 1961; Myerson 1981;
// Riley and Samuelson 1981): with uniform private values and equilibrium bidding, the
// expected revenue is (n-1)/(n+1) in first-price, second-price, all-pay and English
// auctions; and the winner's curse of naive bidders under common values (Capen, Clapp
// and Campbell 1971), which deepens as bidders are added.
// Equations, results and tests: docs/models/sealed_bid_auction.md.
//
// Parameters (name = default [range]):
//   bidders = 5 [1, 10^5]
//   format = first_price | second_price | all_pay | english     increment = 0.001 (english)
//   value_model = private | common                              signal_sd = 0.1 (common)
//   values = uniform | power | truncated_normal on [value_low, value_high] = [0, 1]
//     power_exponent = 2 (power), normal_mean = 0.5, normal_sd = 0.25 (truncated_normal)
//   strategy = equilibrium | truthful | shade | naive           shade = 0.1 (shade)
//   reserve = 0
//   rounds = 1000 (auctions per run), record_every = 10
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "agents/bidders.hpp"
#include "markets/auctions.hpp"
#include "sim/error.hpp"
#include "sim/scenario.hpp"

namespace marketsim {
namespace {

constexpr std::uint32_t kValueTag = 1;  // private values, or the common value V
constexpr std::uint32_t kNoiseTag = 2;  // signal noise (common values)
constexpr std::uint32_t kTieTag = 3;    // tie-breaking in the auction

ValueDistribution value_distribution(const Params& p) {
  const double low = p.real("value_low"), high = p.real("value_high");
  switch (parse_value_distribution(p.choice("values"))) {
    case ValueDistribution::Kind::uniform: return ValueDistribution::uniform(low, high);
    case ValueDistribution::Kind::power: return ValueDistribution::power(p.real("power_exponent"), low, high);
    case ValueDistribution::Kind::truncated_normal:
      return ValueDistribution::truncated_normal(p.real("normal_mean"), p.real("normal_sd"), low, high);
  }
  throw Error("sealed_bid_auction: unknown value distribution");
}

ScenarioInfo describe_sealed_bid_auction() {
  ScenarioInfo s;
  s.name = "sealed_bid_auction";
  s.summary = "Single-object auctions: revenue equivalence, reserve prices and the winner's curse";
  s.story =
      "Each round is an independent auction of one object among n bidders with independent private values "
      "or a noisily observed common value, under first-price, second-price, all-pay or English (ascending "
      "clock) rules. Bidders play the risk-neutral symmetric equilibrium, bid truthfully, shade by a fixed "
      "fraction, or naively bid their signal. Reproduces revenue equivalence, (n-1)/(n+1) for uniform values "
      "(Vickrey 1961; Myerson 1981; Riley and Samuelson 1981), and the winner's curse of naive bidders "
      "(Capen, Clapp and Campbell 1971), which deepens with more bidders.";
  s.default_rounds = 1000;
  s.default_record_every = 10;
  auto& p = *s.schema;
  p.integer("bidders", 5, {1, 1e5}, "bidders", "number of bidders n in each auction");
  p.choice("format", "first_price", {"first_price", "second_price", "all_pay", "english"},
           "auction rules: sealed-bid first-price, second-price, all-pay, or the English ascending clock");
  p.choice("value_model", "private", {"private", "common"},
           "private: independent values v_i ~ F; common: one value V ~ F, signals V + N(0, signal_sd^2)");
  p.choice("values", "uniform", {"uniform", "power", "truncated_normal"},
           "value distribution F on [value_low, value_high]: uniform, power law F = x^k, or truncated normal");
  p.real("value_low", 0.0, {-1e6, 1e6}, "money", "lowest value of F");
  p.real("value_high", 1.0, {-1e6, 1e6}, "money", "highest value of F");
  p.real("power_exponent", 2.0, {0.01, 100}, "1", "exponent k of the power law F = ((v - low)/(high - low))^k (values = power)");
  p.real("normal_mean", 0.5, {-1e6, 1e6}, "money", "mean of the normal before truncation (values = truncated_normal)");
  p.real("normal_sd", 0.25, {1e-6, 1e6}, "money", "sd of the normal before truncation (values = truncated_normal)");
  p.choice("strategy", "equilibrium", {"equilibrium", "truthful", "shade", "naive"},
           "equilibrium: risk-neutral symmetric equilibrium (private values); truthful: bid the value (private); "
           "shade: bid (1 - shade) x signal; naive: bid the signal");
  p.real("shade", 0.1, {0.0, 1.0}, "1", "fraction shaved off the signal (strategy = shade)");
  p.real("signal_sd", 0.1, {0.0, 1e6}, "money", "sd of each bidder's signal noise (value_model = common)");
  p.real("reserve", 0.0, {-1e6, 1e6}, "money", "reserve price: lower bids do not win (English: the start price)");
  p.real("increment", 0.001, {1e-6, 1e6}, "money", "clock price step (format = english)");
  p.check({"value_low", "value_high"}, "value_low < value_high",
          [](const Params& q) { return q.real("value_low") < q.real("value_high"); });
  p.check({"strategy", "value_model"}, "strategy = equilibrium or truthful needs value_model = private (under common "
          "values a bidder does not know its value: use naive or shade)",
          [](const Params& q) {
            const auto& st = q.choice("strategy");
            return q.choice("value_model") == "private" || (st != "equilibrium" && st != "truthful");
          });
  p.check({"strategy", "value_low", "reserve"}, "strategy = equilibrium needs value_low >= 0 and reserve >= 0",
          [](const Params& q) {
            return q.choice("strategy") != "equilibrium" || (q.real("value_low") >= 0 && q.real("reserve") >= 0);
          });
  p.check({"values", "normal_mean", "normal_sd", "value_low", "value_high"},
          "values = truncated_normal needs [value_low, value_high] to hold probability >= 1e-12 of "
          "N(normal_mean, normal_sd^2)",
          [](const Params& q) {
            if (q.choice("values") != "truncated_normal" || !(q.real("value_low") < q.real("value_high"))) return true;
            try {
              value_distribution(q);
              return true;
            } catch (const Error&) {
              return false;
            }
          });
  s.scalar("revenue", "money", "mean revenue per auction: sum of all payments (all-pay: every bid)");
  s.scalar("revenue_se", "money", "standard error of `revenue` over the run's auctions (sd / sqrt(auctions))");
  s.scalar("efficiency", "1", "share of auctions won by a bidder with the highest value");
  s.scalar("sale_rate", "1", "share of auctions with a winner (a bid at or above the reserve)");
  s.scalar("winner_payoff", "money", "mean over auctions of the winner's value minus its payment (0 without a sale)");
  s.scalar("winners_curse_rate", "1", "share of auctions whose winner's payoff is below zero");
  s.scalar("bidder_surplus", "money", "mean over auctions of all bidders' payoffs: winner's value minus revenue");
  s.series_output("revenue_t", "money", "revenue of the auction of round t (0 at t = 0)");
  s.series_output("winner_payoff_t", "money", "winner's payoff in the auction of round t (0 without a sale, and at t = 0)");
  s.series_output("mean_revenue_t", "money", "mean revenue of auctions 1..t (0 at t = 0)");
  return s;
}

class SealedBidAuction {
 public:
  explicit SealedBidAuction(Run& run)
      : seed_(run.seed()),
        n_(static_cast<std::size_t>(run.params().integer("bidders"))),
        english_(run.params().choice("format") == "english"),
        common_(run.params().choice("value_model") == "common"),
        shade_(run.params().choice("strategy") == "shade" ? run.params().real("shade") : 0.0),
        signal_sd_(run.params().real("signal_sd")),
        reserve_(run.params().real("reserve")),
        values_dist_(value_distribution(run.params())),
        signals_(n_),
        bids_(n_) {
    const auto& p = run.params();
    if (!english_) rules_ = {parse_pricing(p.choice("format")), reserve_, 0.0};
    clock_ = {reserve_, p.real("increment")};
    if (p.choice("strategy") == "equilibrium") equilibrium_.emplace(values_dist_, p.integer("bidders"), reserve_);
  }

  void step(std::int64_t round) {
    const auto t = static_cast<std::uint32_t>(round);
    // Signals: the values themselves (private), or V + noise (common).
    Stream value_stream(seed_, kValueTag, 0, t);
    double common_value = 0;
    if (common_) {
      Stream noise(seed_, kNoiseTag, 0, t);
      common_value = draw_common_value(values_dist_, signal_sd_, value_stream, noise, signals_);
    } else {
      values_dist_.draw(value_stream, signals_);
    }
    bid();
    Stream ties(seed_, kTieTag, 0, t);
    const AuctionOutcome out =
        english_ ? english_auction(bids_, clock_, ties) : sealed_bid_auction(bids_, rules_, ties);

    auto value = [&](std::size_t i) { return common_ ? common_value : signals_[i]; };
    const double highest = common_ ? common_value : *std::max_element(signals_.begin(), signals_.end());
    last_revenue_ = out.revenue;
    last_payoff_ = 0;
    if (out.sold()) {
      const double v = value(out.winner);
      last_payoff_ = v - out.price;
      ++sales_;
      efficient_ += v == highest;
      curse_ += last_payoff_ < 0;
      winner_value_sum_ += v;
    }
    ++auctions_;
    const double delta = last_revenue_ - revenue_mean_;  // Welford: mean and sum of squares
    revenue_mean_ += delta / static_cast<double>(auctions_);
    revenue_m2_ += delta * (last_revenue_ - revenue_mean_);
    payoff_sum_ += last_payoff_;
  }

  void record(Run& run) {
    run.record("revenue_t", last_revenue_);
    run.record("winner_payoff_t", last_payoff_);
    run.record("mean_revenue_t", revenue_mean_);
  }

  void finish(Run& run) {
    const double a = static_cast<double>(auctions_);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto share = [&](double count) { return auctions_ ? count / a : nan; };
    run.set("revenue", auctions_ ? revenue_mean_ : nan);
    run.set("revenue_se", auctions_ > 1 ? std::sqrt(revenue_m2_ / (a - 1) / a) : nan);
    run.set("efficiency", share(static_cast<double>(efficient_)));
    run.set("sale_rate", share(static_cast<double>(sales_)));
    run.set("winner_payoff", share(payoff_sum_));
    run.set("winners_curse_rate", share(static_cast<double>(curse_)));
    run.set("bidder_surplus", auctions_ ? winner_value_sum_ / a - revenue_mean_ : nan);
  }

 private:
  void bid() {
    if (equilibrium_ && !english_) {
      if (rules_.pricing == Pricing::first_price) return equilibrium_->first_price(signals_, bids_);
      if (rules_.pricing == Pricing::all_pay) return equilibrium_->all_pay(signals_, bids_);
    }
    // Everyone else bids its signal (its value under private values), less any shading:
    // truthful and naive bidders, and equilibrium bidders in second-price and English.
    shaded_bids(signals_, shade_, bids_);
  }

  std::uint64_t seed_;
  std::size_t n_;
  bool english_, common_;
  double shade_;  // the strategy's shading: 0 unless strategy = shade
  double signal_sd_, reserve_;
  ValueDistribution values_dist_;
  AuctionRules rules_;
  ClockRules clock_;
  std::optional<SymmetricEquilibrium> equilibrium_;
  std::vector<double> signals_;  // each bidder's signal; under private values, its value
  std::vector<double> bids_;     // sealed bids, or English drop-out values

  double last_revenue_ = 0, last_payoff_ = 0;
  std::uint64_t auctions_ = 0, sales_ = 0, efficient_ = 0, curse_ = 0;
  double revenue_mean_ = 0, revenue_m2_ = 0, payoff_sum_ = 0, winner_value_sum_ = 0;
};

}  // namespace

MARKETSIM_SCENARIO(describe_sealed_bid_auction, SealedBidAuction);

}  // namespace marketsim
