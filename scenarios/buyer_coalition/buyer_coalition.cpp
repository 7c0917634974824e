// buyer_coalition: a data-mining dominant seller, a competitive fringe, and buyers who
// find each other on a social network. Equations, timing and tests:
// docs/models/buyer_coalition.md.
//
// Round t: (1) the seller posts offers (individual, or a uniform band under `public`),
// each capped at the buyer's reference price + tolerance, the reference being the lowest
// price the buyer sees among the deals disclosed up to t-1; (2) buyers who hear of the
// coalition (a neighbour pledged by t-1, or an organiser) pledge when the expected gain
// beats the joining cost; (3) the pact activates or not; (4) an active coalition bargains
// (collective Nash, exit to the fringe as threat); (5) buyers buy from the seller, the
// fringe or nobody; (6) deals are recorded in the disclosure channel and the seller
// updates its estimates. Buyers run in parallel in fixed blocks; totals are summed block
// by block in block order, so the output does not depend on the number of threads.
#include "scenarios/buyer_coalition/buyer_coalition.hpp"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <array>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "analysis/inequality.hpp"
#include "markets/bargaining.hpp"
#include "markets/threshold_pledge.hpp"
#include "analysis/round_metrics.hpp"
#include "sim/distributions.hpp"
#include "sim/error.hpp"

namespace marketsim {
namespace buyer_coalition {

CollectivePrice collective_price(std::span<const double> values, std::span<const double> fringe, double cost,
                                 double power) {
  if (!(power >= 0 && power <= 1))
    throw Error(fmt::format("buyer_coalition::collective_price: power must be in [0, 1], got {}", power));
  if (fringe.size() != values.size())
    throw Error(fmt::format("buyer_coalition::collective_price: {} values but {} fringe prices", values.size(), fringe.size()));
  // A member stays in while the seller's price is worth paying: min(v, its fringe price) >= P.
  const auto worth = [&](std::size_t i) { return std::min(values[i], fringe[i]); };
  double floor = -std::numeric_limits<double>::infinity();  // members below it have dropped out
  for (;;) {
    double total = 0, exit_payoff = 0;
    std::size_t m = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (worth(i) < floor) continue;
      ++m;
      total += values[i] - cost;                            // surplus of the members' trades
      exit_payoff += std::max(values[i] - fringe[i], 0.0);  // threat: every member exits to the fringe
    }
    if (m == 0) return {std::numeric_limits<double>::quiet_NaN(), 0};
    // Members' payoff u1 = d1 + a (S - d1 - 0); the price collects the rest:
    // P = (sum v - u1) / m = c + (1 - a)(mean min(v, f_i) - c).
    const auto deal = bargaining::nash_transferable(total, exit_payoff, 0.0, power);
    const double price = deal.agreement ? cost + (total - deal.u1) / static_cast<double>(m) : cost;
    std::size_t buyers = 0;
    for (std::size_t i = 0; i < values.size(); ++i) buyers += worth(i) >= floor && worth(i) >= price;
    if (buyers == m) return {price, m};
    floor = price;
  }
}

double uniform_base_price(std::span<const double> thresholds, double cost, double tolerance, double cap) {
  if (!(tolerance >= 0)) throw Error(fmt::format("buyer_coalition::uniform_base_price: tolerance must be >= 0, got {}", tolerance));
  const double hi = cap + tolerance;  // +inf without a published price
  std::vector<double> x;
  x.reserve(thresholds.size());
  for (const double t : thresholds)
    if (t >= cost) x.push_back(std::min(t, hi));
  if (x.empty()) return cost;  // nobody is worth selling to; any price at or above cost
  tbb::parallel_sort(x.begin(), x.end());
  std::vector<double> prefix(x.size() + 1, 0.0);  // in sorted order: deterministic
  for (std::size_t j = 0; j < x.size(); ++j) prefix[j + 1] = prefix[j] + x[j];
  const auto n = static_cast<double>(x.size());
  double best_price = x.front(), best = -std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (k > 0 && x[k] == x[k - 1]) continue;
    const double p = x[k], upper = std::min(p + tolerance, hi);
    const auto u = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), upper) - x.begin());
    const double revenue = (prefix[u] - prefix[k]) + (n - static_cast<double>(u)) * upper - cost * (n - static_cast<double>(k));
    if (revenue > best) best = revenue, best_price = p;
  }
  return best_price;
}

}  // namespace buyer_coalition

namespace {
namespace bc = buyer_coalition;
using Coordination = BuyerCoalition::Coordination;
using Trade = BuyerCoalition::Trade;

constexpr std::uint32_t kValueTag = 1;      // buyer values (agent = buyer, round 0)
constexpr std::uint32_t kSignalTag = 2;     // the seller's noisy data on each value (agent = buyer)
constexpr std::uint32_t kNetworkTag = 3;    // the social network
constexpr std::uint32_t kOrganiserTag = 4;  // which buyers organise the coalition (arrival order)
constexpr std::uint32_t kDistanceTag = 5;   // each buyer's taste for the seller's product over the fringe's
constexpr std::uint32_t kBlock = 4096;      // buyers per block of a parallel round
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Per-round series `<name>_t`; scalars `<name>` = the mean over rounds 1..T of the finite values.
constexpr std::array<analysis::RoundMetric, 15> kMetrics = {{
    {"coalition_size", "1", "share of buyers who pledged (members once the coalition is active)"},
    {"active", "1", "1 if the coalition is active (binding) in the round, else 0"},
    {"coalition_price", "money", "the collective price paid by members (NaN without an active coalition)"},
    {"mean_price", "money", "mean price of the dominant seller's sales (NaN without sales)"},
    {"price_dispersion", "1", "coefficient of variation (sd / mean) of the seller's sale prices (NaN without sales)"},
    {"seller_share", "1", "share of buyers buying from the dominant seller"},
    {"fringe_share", "1", "share of buyers buying from the fringe"},
    {"buyer_surplus", "money per buyer", "sum of (value - price) over all trades minus joining costs paid, per buyer"},
    {"seller_profit", "money per buyer", "sum of (price - cost) over the seller's sales, per buyer"},
    {"fringe_surplus", "money per buyer", "sum of (fringe_price - fringe_cost) over fringe sales, per buyer"},
    {"deadweight_loss", "money per buyer", "sum over buyers of (best attainable trade surplus - realised trade surplus), per buyer"},
    {"joining_costs", "money per buyer", "joining costs paid in the round, per buyer"},
    {"max_surplus", "money per buyer", "sum over buyers of max(v - cost, v - fringe_cost, 0), per buyer"},
    {"welfare", "money per buyer", "buyer_surplus + seller_profit + fringe_surplus"},
    {"buyer_share", "1", "buyer_surplus / welfare (NaN if welfare is 0)"},
}};
enum M { Size, Active, CoalitionPrice, MeanPrice, Dispersion, SellerShare, FringeShare, BuyerSurplus, SellerProfit,
         FringeSurplus, Deadweight, Joining, MaxSurplus, Welfare, BuyerShare };

Coordination coordination_of(const std::string& s) {
  return s == "none" ? Coordination::none : s == "coalition" ? Coordination::coalition : Coordination::pact;
}

}  // namespace

ScenarioInfo describe_buyer_coalition() {
  ScenarioInfo s;
  s.name = "buyer_coalition";
  s.summary = "Buyers who find each other on a network and bargain as one with a discriminating seller";
  s.story =
      "A dominant seller prices every buyer individually from noisy data on its willingness to pay and adapts by "
      "accept/reject; a competitive fringe is every buyer's outside option. Buyers hear of a coalition through "
      "neighbours who pledged and pledge when the expected gain beats the joining cost; a pact binds only at "
      "`threshold` pledges. The coalition bargains as one (generalised Nash, collective exit as threat). Disclosure "
      "of deals sets reference prices and limits discrimination. Seed 003; Nash (1950); Granovetter (1978); "
      "Cullen and Pakzad-Hurson (2023).";
  s.default_rounds = 30;
  auto& p = *s.schema;
  p.integer("buyers", 10000, {2, 1e7}, "buyers", "number of buyers");
  p.choice("value_dist", "uniform", {"uniform", "lognormal"},
           "buyer values: uniform on [mean - spread, mean + spread], or lognormal with that mean and log-sd `value_spread`");
  p.real("value_mean", 1.0, {0, 1e6}, "money", "mean willingness to pay");
  p.real("value_spread", 0.4, {0, 1e6}, "money", "uniform: half-width; lognormal: sd of log value");
  p.real("cost", 0.3, {0, 1e6}, "money", "the dominant seller's unit cost c");
  p.boolean("fringe", true, "a competitive fringe sells at fringe_price to anyone (every buyer's outside option)");
  p.real("fringe_price", 0.9, {0, 1e6}, "money", "the fringe's price f (>= cost)");
  p.real("fringe_cost", 0.8, {0, 1e6}, "money", "the fringe's unit cost (<= fringe_price)");
  p.real("fringe_distance", 0.05, {0, 1e6}, "money",
         "mean of d_i ~ U[0, 2 fringe_distance]: buyer i values the fringe's product d_i less than the seller's");
  p.real("seller_info_sd", 0.1, {0, 1e6}, "money", "sd of the seller's noisy signal of each buyer's value (small = strong data mining)");
  p.real("price_step", 0.02, {0, 1e6}, "money", "the seller's staircase step: it probes this much higher after an acceptance, asks this much less after a refusal");
  p.real("forget", 0.002, {0, 1e6}, "money", "per round, the seller's memory of a refusal fades by this much (so it probes again)");
  add_network_params(p, "buyers", {NetworkKind::small_world, 10, 0.1});
  p.choice("coordination", "pact", {"none", "coalition", "pact"},
           "none: buyers face the seller one by one; coalition: binds at any size; pact: binds once `threshold` buyers pledged");
  p.integer("threshold", 1000, {1, 1e8}, "buyers", "pledges needed for a pact to bind (above `buyers`: it never binds)");
  p.integer("organisers", 10, {0, 1e7}, "buyers", "buyers who start the coalition in round 1 (chosen at random)");
  p.real("join_cost", 0.01, {0, 1e6}, "money", "a member's one-off cost of joining, paid when its pledge binds");
  p.real("bargaining_power", 0.5, {0, 1}, "1", "the coalition's Nash bargaining power a");
  p.choice("disclosure", "private", {"private", "group", "public", "delayed"},
           "which deals a buyer sees: its own; also every pledger's if it pledged (group); all (public); all after `lag` rounds (delayed)");
  p.integer("lag", 3, {0, 1000}, "rounds", "delay before deals become public under `delayed`");
  p.real("tolerance", 0.05, {0, 1e6}, "money", "a buyer refuses any offer above its reference price (lowest visible price) plus this");
  p.check({"fringe_price", "cost"}, "fringe_price >= cost", [](const Params& q) { return q.real("fringe_price") >= q.real("cost"); });
  p.check({"fringe_cost", "fringe_price"}, "fringe_cost <= fringe_price",
          [](const Params& q) { return q.real("fringe_cost") <= q.real("fringe_price"); });
  p.check({"organisers", "buyers"}, "organisers <= buyers", [](const Params& q) { return q.integer("organisers") <= q.integer("buyers"); });
  p.check({"value_dist", "value_mean", "value_spread"}, "value_spread <= value_mean when value_dist = uniform (values >= 0)",
          [](const Params& q) { return q.choice("value_dist") != "uniform" || q.real("value_spread") <= q.real("value_mean"); });
  analysis::RoundMetrics::declare_scalars(s, kMetrics);
  s.scalar("activated", "1", "1 if the coalition became active in some round");
  s.scalar("activation_round", "round", "first round in which the coalition was active (NaN if never)");
  s.scalar("final_coalition_size", "1", "coalition_size at the last round");
  s.scalar("gini_buyer_surplus", "1", "Gini coefficient of each buyer's buyer surplus summed over the run");
  analysis::RoundMetrics::declare_series(s, kMetrics);
  return s;
}

struct BuyerCoalition::Block {
  Accounts accounts;
  std::int64_t seller = 0, fringe = 0, pledgers = 0;
  double price_sum = 0, price_sq = 0;
  double lowest = kInf, lowest_pledger = kInf;  // lowest seller price: all buyers, pledgers
};

BuyerCoalition::~BuyerCoalition() = default;

BuyerCoalition::BuyerCoalition(Run& run) : seed_(run.seed()), coalition_price_(kNaN), now_(kMetrics) {
  const Params& q = run.params();
  n_ = static_cast<std::uint32_t>(q.integer("buyers"));
  coordination_ = coordination_of(q.choice("coordination"));
  rule_ = disclosure::parse_rule(q.choice("disclosure"));
  cost_ = q.real("cost");
  fringe_ = q.boolean("fringe");
  fringe_price_ = fringe_ ? q.real("fringe_price") : kInf;
  fringe_cost_ = q.real("fringe_cost");
  const double distance = fringe_ ? q.real("fringe_distance") : 0.0;
  fringe_cap_ = fringe_price_ + 2 * distance;  // the most any buyer's fringe option is worth to the seller
  join_cost_ = q.real("join_cost");
  power_ = q.real("bargaining_power");
  tolerance_ = q.real("tolerance");
  price_step_ = q.real("price_step");
  forget_ = q.real("forget");
  threshold_ = q.integer("threshold");
  lag_ = rule_ == disclosure::Rule::delayed ? q.integer("lag") : 0;
  organisers_ = q.integer("organisers");

  const bool lognormal = q.choice("value_dist") == "lognormal";
  const double mean = q.real("value_mean"), spread = q.real("value_spread"), info_sd = q.real("seller_info_sd");
  value_.resize(n_);
  ask_.resize(n_);
  fringe_option_.resize(n_);
  tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, n_, kBlock), [&](const auto& r) {
    for (std::uint32_t i = r.begin(); i != r.end(); ++i) {
      Stream s(seed_, kValueTag, i);
      value_[i] = lognormal ? mean * std::exp(spread * standard_normal(s) - spread * spread / 2)
                            : mean - spread + 2 * spread * s.uniform01();
      Stream noise(seed_, kSignalTag, i);
      // The seller's staircase works on minus the price (agents/staircase.hpp: lower is better
      // for the proposer); it starts from the noisy signal of the value.
      ask_[i] = {kInf, -kInf, -(value_[i] + info_sd * standard_normal(noise))};
      Stream d(seed_, kDistanceTag, i);
      fringe_option_[i] = fringe_price_ + 2 * distance * d.uniform01();  // f + d_i (+inf without a fringe)
    }
  });
  network_ = build_network(q, n_, seed_, kNetworkTag);
  channel_ = std::make_unique<disclosure::Channel>(rule_, n_, lag_, lag_ + 1);

  offer_.assign(n_, kNaN);
  price_.assign(n_, kNaN);
  reference_.assign(n_, kNaN);
  surplus_.assign(n_, 0.0);
  joined_now_.assign(n_, 0.0);
  trade_.assign(n_, Trade::none);
  pledged_.assign(n_, 0);
  next_pledged_.assign(n_, 0);
  member_.assign(n_, 0);
  organiser_.assign(n_, 0);
  signature_.assign(n_, 0);
  const auto order = pledges::arrival_order(seed_, kOrganiserTag, 0, n_);
  for (std::int64_t k = 0; k < organisers_; ++k) organiser_[order[static_cast<std::size_t>(k)]] = 1;
  coalition_prices_.assign(1, kNaN);  // index = round; grown by step()
  lowest_price_.assign(1, kInf);
  lowest_group_price_.assign(1, kInf);
  // Before any coalition price is seen, buyers expect the collective price of the whole market.
  prior_price_ = bc::collective_price(value_, fringe_option_, cost_, power_).price;
  if (!std::isfinite(prior_price_)) prior_price_ = kInf;  // no buyer can pay the cost: nothing to gain
  blocks_.resize((n_ + kBlock - 1) / kBlock);
}

template <class F>
void BuyerCoalition::for_blocks(F&& f) {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks_.size(), 1), [&](const auto& r) {
    for (std::size_t b = r.begin(); b != r.end(); ++b) {
      const auto begin = static_cast<std::uint32_t>(b * kBlock);
      const auto end = static_cast<std::uint32_t>(std::min<std::size_t>((b + 1) * kBlock, n_));
      f(b, begin, end);
    }
  });
}

double BuyerCoalition::reference(std::uint32_t i, std::uint32_t t) const {
  if (t < 2) return kNaN;
  const std::int64_t last = t - 1;
  const std::int64_t since = std::max<std::int64_t>(1, last - lag_);
  const auto seen = channel_->seen(i, pledged_[i] ? 0 : disclosure::kNoGroup, last, since);
  return seen.empty() ? kNaN : seen.min;
}

bool BuyerCoalition::banded(std::uint32_t i) const {
  // The buyers whose prices all see (a common reference): everyone under public and
  // delayed, the pledgers under group.
  return rule_ == disclosure::Rule::public_ || rule_ == disclosure::Rule::delayed ||
         (rule_ == disclosure::Rule::group && pledged_[i]);
}

void BuyerCoalition::post_offers(std::uint32_t t) {
  const auto priced = [&](std::uint32_t i) { return !(active_ && member_[i]); };
  // The lowest price the banded audience will see as reference: last round's lowest
  // published price (public; the pledgers' lowest under group), lag rounds older under
  // delayed. The seller knows the rule, so it sets one base price P for that audience and
  // offers within [P, P + tol]: any lower offer would become everyone's reference.
  const std::int64_t seen_round = static_cast<std::int64_t>(t) - 1 - lag_;
  double audience_cap = kInf;
  if (seen_round >= 1) {
    const auto r = static_cast<std::size_t>(seen_round);
    const double low = rule_ == disclosure::Rule::group ? lowest_group_price_[r] : lowest_price_[r];
    if (std::isfinite(low)) audience_cap = low;
  }
  std::vector<double> thresholds;
  for (std::uint32_t i = 0; i < n_; ++i)
    if (priced(i) && banded(i)) thresholds.push_back(std::min(ask(i), fringe_cap_));
  base_price_ = thresholds.empty() ? kNaN : bc::uniform_base_price(thresholds, cost_, tolerance_, audience_cap);
  const double band_top = std::min({base_price_ + tolerance_, audience_cap + tolerance_, fringe_cap_});
  for_blocks([&](std::size_t, std::uint32_t begin, std::uint32_t end) {
    for (std::uint32_t i = begin; i < end; ++i) {
      reference_[i] = reference(i, t);
      if (!priced(i)) {
        offer_[i] = kNaN;
        continue;
      }
      // Never more than any buyer's fringe option or the buyer's own reference + tol.
      const double cap = std::min(fringe_cap_, std::isfinite(reference_[i]) ? reference_[i] + tolerance_ : kInf);
      offer_[i] = banded(i) ? std::min(std::max(std::min(ask(i), fringe_cap_), base_price_), std::min(band_top, cap))
                            : std::min(std::max(ask(i), cost_), cap);
    }
  });
}

double BuyerCoalition::expected_price(std::uint32_t t) const {
  // The coalition price non-members believe in: the last one they can see, else the prior.
  std::int64_t seen_round = -1;
  if (rule_ == disclosure::Rule::public_) seen_round = t - 1;
  if (rule_ == disclosure::Rule::delayed) seen_round = static_cast<std::int64_t>(t) - 1 - lag_;
  if (seen_round >= 1 && std::isfinite(coalition_prices_[static_cast<std::size_t>(seen_round)]))
    return coalition_prices_[static_cast<std::size_t>(seen_round)];
  return prior_price_;
}

void BuyerCoalition::pledge(std::uint32_t t) {
  if (coordination_ == Coordination::none) return;
  const bool impossible = coordination_ == Coordination::pact && threshold_ > static_cast<std::int64_t>(n_);
  if (impossible) return;  // everyone knows the pact can never bind
  const double believed = expected_price(t);
  const double n = n_;
  const std::int64_t pledgers_before = pledgers_;
  for_blocks([&](std::size_t b, std::uint32_t begin, std::uint32_t end) {
    std::int64_t count = 0;
    for (std::uint32_t i = begin; i < end; ++i) {
      if (pledged_[i]) {
        next_pledged_[i] = 1, ++count;
        continue;
      }
      next_pledged_[i] = 0;
      if (t == 1 && organiser_[i]) {
        next_pledged_[i] = 1, ++count;
        continue;
      }
      std::uint64_t heard = 0;
      double share = 0;
      if (network_.is_complete()) {
        heard = static_cast<std::uint64_t>(pledgers_before);
        share = n > 1 ? static_cast<double>(heard) / (n - 1) : 0;
      } else {
        network_.for_each_neighbour(i, [&](NodeId j) { heard += pledged_[j]; });
        const std::uint32_t d = network_.degree(i);
        share = d > 0 ? static_cast<double>(heard) / d : 0;
      }
      if (heard == 0) continue;  // has not heard of the coalition
      // Belief that it will bind: certain for a coalition or an active pact; otherwise the
      // pledge share among neighbours, extrapolated to the population, against the threshold.
      const double binds = coordination_ == Coordination::coalition || active_
                               ? 1.0
                               : std::min(1.0, share * n / static_cast<double>(threshold_));
      const double v = value_[i];
      const double now = std::max({0.0, v - offer_[i], v - fringe_option_[i]});
      const double gain = binds * (std::max(0.0, v - believed) - now);
      if (gain > join_cost_) next_pledged_[i] = 1, ++count;
    }
    blocks_[b].pledgers = count;
  });
  std::swap(pledged_, next_pledged_);
  pledgers_ = 0;
  for (const auto& blk : blocks_) pledgers_ += blk.pledgers;

  // The pact activates (threshold_pledge, count mode) or not; a coalition binds at any size.
  if (!active_) {
    for_blocks([&](std::size_t, std::uint32_t begin, std::uint32_t end) {
      for (std::uint32_t i = begin; i < end; ++i) signature_[i] = pledged_[i];
    });
    const pledges::Rule rule{pledges::Threshold::count, coordination_ == Coordination::pact ? threshold_ : 1};
    if (pledges::settle_totals(rule, signature_).formed) {
      active_ = true;
      activation_round_ = t;
    }
  }
}

void BuyerCoalition::bargain() {
  coalition_price_ = kNaN;
  if (!active_) return;
  // Pledges bind: pledgers become members and pay the joining cost once.
  for_blocks([&](std::size_t, std::uint32_t begin, std::uint32_t end) {
    for (std::uint32_t i = begin; i < end; ++i) {
      joined_now_[i] = pledged_[i] && !member_[i] ? join_cost_ : 0.0;
      member_[i] = pledged_[i];
    }
  });
  std::vector<double> values, options;
  values.reserve(static_cast<std::size_t>(pledgers_));
  options.reserve(static_cast<std::size_t>(pledgers_));
  for (std::uint32_t i = 0; i < n_; ++i)
    if (member_[i]) values.push_back(value_[i]), options.push_back(fringe_option_[i]);
  coalition_price_ = bc::collective_price(values, options, cost_, power_).price;
  if ((rule_ == disclosure::Rule::public_ || rule_ == disclosure::Rule::group) && std::isfinite(coalition_price_) &&
      std::isfinite(base_price_)) {
    // Published at once to the banded audience (everyone under public, the pledgers under
    // group): the coalition refuses more than the base price + tol, and the seller, knowing
    // the others in the audience refuse more than the coalition price + tol, lowers their
    // offers to it.
    coalition_price_ = std::min(coalition_price_, base_price_ + tolerance_);
    const double cap = coalition_price_ + tolerance_;
    for_blocks([&](std::size_t, std::uint32_t begin, std::uint32_t end) {
      for (std::uint32_t i = begin; i < end; ++i)
        if (!member_[i] && banded(i)) offer_[i] = std::min(offer_[i], cap);
    });
  }
}

void BuyerCoalition::trade() {
  for_blocks([&](std::size_t b, std::uint32_t begin, std::uint32_t end) {
    Block local;
    for (std::uint32_t i = begin; i < end; ++i) {
      const double v = value_[i];
      const bool member = active_ && member_[i];
      const double p = member ? coalition_price_ : offer_[i];
      const double ref = reference_[i];
      // The fringe's product is worth v - d_i to buyer i, and costs it f = fringe_price:
      // its fringe option is v - (f + d_i), with option = f + d_i.
      const double option = fringe_option_[i], distance = option - fringe_price_;
      // The seller's offer is taken if it is affordable, no worse than the fringe
      // (v - p >= v - d_i - f), and, for non-members, within tolerance of the reference.
      const bool take = std::isfinite(p) && p <= v && p <= option &&
                        (member || !std::isfinite(ref) || p <= ref + tolerance_);
      Trade kind = Trade::none;
      double paid = kNaN, gain = 0, realised = 0;  // price, buyer's trade surplus, total trade surplus
      if (take) {
        kind = Trade::seller, paid = p, gain = v - p, realised = v - cost_;
        ++local.seller;
        local.price_sum += p;
        local.price_sq += p * p;
        local.lowest = std::min(local.lowest, p);
        if (pledged_[i]) local.lowest_pledger = std::min(local.lowest_pledger, p);
        local.accounts.seller_profit += p - cost_;
      } else if (fringe_ && v >= option) {
        kind = Trade::fringe, paid = fringe_price_, gain = v - option, realised = v - distance - fringe_cost_;
        ++local.fringe;
        local.accounts.fringe_surplus += fringe_price_ - fringe_cost_;
      }
      const double buyer = gain - joined_now_[i];
      trade_[i] = kind;
      price_[i] = paid;
      surplus_[i] += buyer;
      // The best trade for this buyer: the seller's product at cost c, or the fringe's,
      // worth d_i less, at cost c_f, or none.
      const double best = std::max({0.0, v - cost_, fringe_ ? v - distance - fringe_cost_ : 0.0});
      local.accounts.buyer_surplus += buyer;
      local.accounts.joining_costs += joined_now_[i];
      local.accounts.max_surplus += best;
      local.accounts.deadweight_loss += best - realised;
      joined_now_[i] = 0;
    }
    blocks_[b] = local;
  });
}

double BuyerCoalition::ask(std::uint32_t i) const { return -next_offer(ask_[i], price_step_); }

void BuyerCoalition::learn() {
  // Every offered non-member updates the seller's staircase: an acceptance at p means the
  // buyer pays at least p, a refusal (for whatever reason) that it pays less.
  for_blocks([&](std::size_t, std::uint32_t begin, std::uint32_t end) {
    for (std::uint32_t i = begin; i < end; ++i) {
      if (active_ && member_[i]) continue;
      const double p = offer_[i];
      if (std::isfinite(p)) marketsim::learn(ask_[i], -p, trade_[i] == Trade::seller, forget_);
    }
  });
}

void BuyerCoalition::step(std::int64_t round) {
  const auto t = static_cast<std::uint32_t>(round);
  if (t >= coalition_prices_.size()) {
    coalition_prices_.resize(t + 1, kNaN);
    lowest_price_.resize(t + 1, kInf);
    lowest_group_price_.resize(t + 1, kInf);
  }
  post_offers(t);
  pledge(t);
  bargain();
  trade();
  // Deals of the round, recorded in buyer order (the channel's sums are then deterministic).
  for (std::uint32_t i = 0; i < n_; ++i)
    if (trade_[i] == Trade::seller)
      channel_->record(t, i, pledged_[i] ? 0 : disclosure::kNoGroup, price_[i]);
  coalition_prices_[t] = coalition_price_;
  learn();

  Block total;
  for (const Block& blk : blocks_) {
    total.seller += blk.seller;
    total.fringe += blk.fringe;
    total.price_sum += blk.price_sum;
    total.price_sq += blk.price_sq;
    total.lowest = std::min(total.lowest, blk.lowest);
    total.lowest_pledger = std::min(total.lowest_pledger, blk.lowest_pledger);
    auto& a = total.accounts;
    const auto& x = blk.accounts;
    a.buyer_surplus += x.buyer_surplus, a.seller_profit += x.seller_profit, a.fringe_surplus += x.fringe_surplus;
    a.deadweight_loss += x.deadweight_loss, a.joining_costs += x.joining_costs, a.max_surplus += x.max_surplus;
  }
  accounts_ = total.accounts;
  lowest_price_[t] = total.lowest;
  lowest_group_price_[t] = total.lowest_pledger;
  const double n = n_;
  const double sold = static_cast<double>(total.seller);
  const double mean = sold > 0 ? total.price_sum / sold : kNaN;
  const double var = sold > 0 ? std::max(0.0, total.price_sq / sold - mean * mean) : kNaN;
  now_[Size] = static_cast<double>(pledgers_) / n;
  now_[Active] = active_ ? 1.0 : 0.0;
  now_[CoalitionPrice] = coalition_price_;
  now_[MeanPrice] = mean;
  now_[Dispersion] = sold > 0 && mean != 0 ? std::sqrt(var) / mean : kNaN;
  now_[SellerShare] = sold / n;
  now_[FringeShare] = static_cast<double>(total.fringe) / n;
  now_[BuyerSurplus] = accounts_.buyer_surplus / n;
  now_[SellerProfit] = accounts_.seller_profit / n;
  now_[FringeSurplus] = accounts_.fringe_surplus / n;
  now_[Deadweight] = accounts_.deadweight_loss / n;
  now_[Joining] = accounts_.joining_costs / n;
  now_[MaxSurplus] = accounts_.max_surplus / n;
  now_[Welfare] = now_[BuyerSurplus] + now_[SellerProfit] + now_[FringeSurplus];
  now_[BuyerShare] = now_[Welfare] != 0 ? now_[BuyerSurplus] / now_[Welfare] : kNaN;
  now_.close_round();
}

void BuyerCoalition::record(Run& run) {
  now_.record(run);
}

void BuyerCoalition::finish(Run& run) {
  now_.finish(run);
  run.set("activated", activation_round_ > 0 ? 1.0 : 0.0);
  run.set("activation_round", activation_round_ > 0 ? static_cast<double>(activation_round_) : kNaN);
  run.set("final_coalition_size", static_cast<double>(pledgers_) / n_);
  run.set("gini_buyer_surplus", analysis::gini(std::span<const double>(surplus_)));
}

MARKETSIM_SCENARIO(describe_buyer_coalition, BuyerCoalition);

}  // namespace marketsim
