// assurance_contract: "I will if you will" for a public good (seed 003, Kickstarter).
//
// `contributors` with private values v_i (drawn once, fixed over the run) face one
// campaign per round for a good costing `cost`: voluntary contribution, an assurance
// contract (refund unless the threshold is met) or a dominant assurance contract (refund
// plus a bonus). The threshold is the cost (a sum) or a number of backers each pledging
// the price. Pledges are sealed, or arrive one by one seeing the running total (live).
// Contributors play the documented complete-information equilibrium, or learn their
// pledge level by Roth-Erev reinforcement over the rounds.
// Mechanisms: markets/threshold_pledge.hpp (settlement, live arrival, bonuses, cents),
// agents/learning.hpp (Roth-Erev), agents/bidders.hpp (value distributions).
// Equations, known results and tests: docs/models/assurance_contract.md.
#include "scenarios/assurance_contract/assurance_contract.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "agents/bidders.hpp"
#include "agents/learning.hpp"
#include "analysis/inequality.hpp"
#include "analysis/market.hpp"
#include "sim/error.hpp"
#include "sim/scenario.hpp"

namespace marketsim::assurance {

Mechanism parse_mechanism(std::string_view name) {
  if (name == "voluntary") return Mechanism::voluntary;
  if (name == "assurance") return Mechanism::assurance;
  if (name == "dominant_assurance") return Mechanism::dominant_assurance;
  throw Error(fmt::format("assurance_contract: unknown mechanism '{}'; choose voluntary, assurance or "
                          "dominant_assurance",
                          name));
}

void Campaign::validate() const {
  if (cost < 1) throw Error(fmt::format("assurance_contract: cost must be >= 1 cent, got {}", cost));
  if (mode == pledges::Threshold::count && backers < 1)
    throw Error(fmt::format("assurance_contract: backers must be >= 1 in count mode, got {}", backers));
  if (bonus_amount < 0) throw Error(fmt::format("assurance_contract: bonus must be >= 0, got {}", bonus_amount));
}

std::int64_t Campaign::price() const {
  return mode == pledges::Threshold::count ? (cost + backers - 1) / backers : 0;
}

std::int64_t Campaign::goal() const { return mode == pledges::Threshold::count ? backers * price() : cost; }

pledges::Rule Campaign::rule() const {
  pledges::Rule r;
  r.mode = mode;
  if (mechanism == Mechanism::voluntary) {
    r.threshold = 0;  // always forms: nothing is refunded
    return r;
  }
  r.threshold = mode == pledges::Threshold::count ? backers : cost;
  if (mechanism == Mechanism::dominant_assurance) {
    r.bonus = bonus;
    r.bonus_amount = bonus_amount;
  }
  return r;
}

std::int64_t Campaign::missing(const pledges::State& state) const {
  const std::int64_t need = mode == pledges::Threshold::count ? backers : cost;
  const std::int64_t have = mode == pledges::Threshold::count ? state.pledgers : state.total;
  return std::max<std::int64_t>(0, need - have);
}

Result settle(const Campaign& campaign, std::span<const std::int64_t> pledges) {
  campaign.validate();
  Result r{pledges::settle(campaign.rule(), pledges), false};
  r.provided = r.settlement.totals.formed && r.settlement.totals.collected >= campaign.cost;
  return r;
}

void payoffs(const Campaign& campaign, const Result& result, std::span<const std::int64_t> values,
             std::span<std::int64_t> out) {
  const auto& s = result.settlement;
  if (values.size() != s.collected.size() || out.size() != values.size())
    throw Error(fmt::format("assurance_contract: payoffs needs one value and one output per pledge ({}), got {} and {}",
                            s.collected.size(), values.size(), out.size()));
  (void)campaign;
  for (std::size_t i = 0; i < values.size(); ++i)
    out[i] = (result.provided ? values[i] : 0) - s.collected[i] + s.bonus[i];
}

std::int64_t payoff_if(const Campaign& campaign, std::span<const std::int64_t> values,
                       std::span<const std::int64_t> pledges, std::size_t agent, std::int64_t pledge) {
  if (agent >= pledges.size()) throw Error(fmt::format("assurance_contract: agent {} out of range", agent));
  std::vector<std::int64_t> p(pledges.begin(), pledges.end());
  p[agent] = pledge;
  const Result r = settle(campaign, p);
  return (r.provided ? values[agent] : 0) - r.settlement.collected[agent] + r.settlement.bonus[agent];
}

std::int64_t deviation_gain(const Campaign& campaign, std::span<const std::int64_t> values,
                            std::span<const std::int64_t> pledges, std::size_t agent,
                            std::span<const std::int64_t> alternatives) {
  const std::int64_t now = payoff_if(campaign, values, pledges, agent, pledges[agent]);
  std::int64_t best = std::numeric_limits<std::int64_t>::min();
  for (const std::int64_t a : alternatives) best = std::max(best, payoff_if(campaign, values, pledges, agent, a) - now);
  return best;
}

namespace {

// Agents ordered by value, highest first, ties to the lower index.
std::vector<std::size_t> by_value_descending(std::span<const std::int64_t> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] > values[b]; });
  return order;
}

}  // namespace

std::vector<std::int64_t> equilibrium_pledges(const Campaign& campaign, std::span<const std::int64_t> values) {
  campaign.validate();
  const std::size_t n = values.size();
  std::vector<std::int64_t> p(n, 0);
  const bool bonus = campaign.mechanism == Mechanism::dominant_assurance;
  if (campaign.mode == pledges::Threshold::sum) {
    __int128 total = 0;
    for (const std::int64_t v : values) {
      if (v < 0) throw Error("assurance_contract: values must be >= 0 cents");
      total += v;
    }
    if (total < campaign.cost) {
      if (bonus) std::copy(values.begin(), values.end(), p.begin());  // fails anyway: collect the bonus
      return p;
    }
    // Largest remainder: floor(cost v_i / V), then one cent each to the largest remainders.
    std::vector<__int128> remainder(n);
    std::int64_t assigned = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const __int128 share = static_cast<__int128>(campaign.cost) * values[i];
      p[i] = static_cast<std::int64_t>(share / total);
      remainder[i] = share % total;
      assigned += p[i];
    }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t k = 0; assigned < campaign.cost; ++k, ++assigned) ++p[order[k]];
    return p;
  }
  const std::int64_t price = campaign.price();
  const auto order = by_value_descending(values);
  const auto eligible =
      static_cast<std::int64_t>(std::count_if(values.begin(), values.end(), [&](std::int64_t v) { return v >= price; }));
  std::int64_t pledgers = 0;
  if (eligible >= campaign.backers) pledgers = campaign.backers;
  else if (bonus) pledgers = campaign.backers - 1;  // one short: it fails and each pledger earns the bonus
  for (std::int64_t k = 0; k < pledgers && k < static_cast<std::int64_t>(n); ++k) p[order[k]] = price;
  return p;
}

std::int64_t live_equilibrium_pledge(const Campaign& campaign, const pledges::State& state, std::int64_t value,
                                     std::int64_t value_to_come, std::int64_t eligible_to_come) {
  const std::int64_t missing = campaign.missing(state);
  if (missing == 0) return 0;  // funded already: nobody adds to it
  if (campaign.mode == pledges::Threshold::count)
    return value >= campaign.price() && eligible_to_come >= missing ? campaign.price() : 0;
  if (value_to_come < missing || value_to_come <= 0) return 0;
  const __int128 share = static_cast<__int128>(missing) * value;
  return static_cast<std::int64_t>((share + value_to_come - 1) / value_to_come);  // ceil: <= value as missing <= to come
}

}  // namespace marketsim::assurance

namespace marketsim {
namespace {

using assurance::Campaign;
using assurance::Mechanism;

constexpr std::uint32_t kValueTag = 1;    // contributors' values
constexpr std::uint32_t kChoiceTag = 2;   // learners' pledge levels, per (agent, round)
constexpr std::uint32_t kArrivalTag = 3;  // live arrival order, per round
constexpr std::size_t kRatioBins = 20;    // funded/goal histogram: bins of 0.1, the last open
constexpr double kRatioBinWidth = 0.1;

std::int64_t to_cents(double money) { return static_cast<std::int64_t>(std::llround(money * 100.0)); }

ScenarioInfo describe_assurance_contract() {
  ScenarioInfo s;
  s.name = "assurance_contract";
  s.summary = "Kickstarter-style assurance contracts for a public good: voluntary, refunds, dominant assurance";
  s.story =
      "A public good costs `cost`; contributors with private values pledge towards it, one campaign per round. "
      "Voluntary contribution keeps every pledge; an assurance contract refunds the pledges unless the threshold "
      "(the cost, or a number of backers at a price) is met (Bagnoli and Lipman 1989); a dominant assurance "
      "contract adds a bonus to pledgers on failure (Tabarrok 1998; Cason, Tabarrok and Zubrickas 2021). Pledges "
      "are sealed or arrive one by one with the running total visible. Contributors play the documented "
      "complete-information equilibrium or learn their pledge by Roth-Erev reinforcement (Cadsby and Maynes 1999).";
  s.default_rounds = 200;
  auto& p = *s.schema;
  p.integer("contributors", 100, {1, 1e6}, "agents", "number of contributors N");
  p.real("cost", 25, {0.01, 1e9}, "money", "cost of the public good (rounded to the cent)");
  p.choice("mechanism", "assurance", {"voluntary", "assurance", "dominant_assurance"},
           "voluntary: no refund; assurance: refund unless the threshold is met; dominant_assurance: refund plus "
           "`bonus` to each pledger on failure");
  p.choice("threshold_kind", "sum", {"sum", "count"},
           "sum: the pledges must add up to `cost`; count: `threshold` backers must each pledge cost/threshold");
  p.integer("threshold", 0, {1, 1e6}, "agents", "count mode: backers needed (\"all\" = contributors)");
  p.symbol("threshold", "all", "contributors", true);
  p.choice("bonus_kind", "per_pledger", {"per_pledger", "proportional"},
           "dominant assurance bonus: a fixed amount per pledger, or a share of the pledge");
  p.real("bonus", 0.05, {0, 1e9}, "money or 1",
         "per_pledger: money paid to each pledger on failure; proportional: share of its pledge");
  p.choice("information", "sealed", {"sealed", "live"},
           "sealed: simultaneous pledges; live: one by one in random order, seeing the running total");
  p.choice("behaviour", "learning", {"equilibrium", "learning"},
           "equilibrium: the complete-information equilibrium of the model page; learning: Roth-Erev over pledge levels");
  p.choice("value_dist", "uniform", {"uniform", "power"}, "distribution of values on [value_low, value_high]");
  p.real("value_low", 0, {0, 1e9}, "money", "lowest value");
  p.real("value_high", 1, {0, 1e9}, "money", "highest value");
  p.real("value_exponent", 2, {1e-3, 1e3}, "1", "power law F(x) = x^k (value_dist = power)");
  p.integer("pledge_levels", 11, {2, 101}, "levels",
            "learning, sum mode: pledge k/(levels-1) of one's value, k = 0..levels-1");
  p.real("recency", 0.05, {0, 1}, "1", "Roth-Erev forgetting phi");
  p.real("experimentation", 0.1, {0, 1}, "1", "Roth-Erev experimentation eps (spread to neighbouring levels)");
  p.real("initial_propensity", 1, {0, 1e9}, "money", "Roth-Erev initial propensity of every level");
  p.check({"value_low", "value_high"}, "value_low < value_high",
          [](const Params& q) { return q.real("value_low") < q.real("value_high"); });
  p.check({"threshold", "contributors"}, "threshold <= contributors",
          [](const Params& q) { return q.integer("threshold") <= q.integer("contributors"); });
  p.check({"bonus_kind", "bonus"}, "a proportional bonus is a share <= 1",
          [](const Params& q) { return q.choice("bonus_kind") == "per_pledger" || q.real("bonus") <= 1; });

  s.scalar("provision_rate", "1", "share of rounds in which the good was provided");
  s.scalar("efficiency", "1", "realised over maximal surplus, summed over rounds (1 when neither is positive)");
  s.scalar("max_surplus", "money", "max(sum of values - cost, 0): the surplus of providing, per round");
  s.scalar("welfare", "money", "mean per round of [provided] (sum of values - cost)");
  s.scalar("contributor_surplus", "money", "mean per round of the contributors' payoffs (value - paid + bonus)");
  s.scalar("organiser_profit", "money", "mean per round of collected - cost [provided] - bonuses");
  s.scalar("bonus_cost", "money", "mean per round of the bonuses the organiser paid");
  s.scalar("free_riding", "1", "mean per round of the share of contributors with a positive value who pledged nothing");
  s.scalar("over_pledging", "1", "mean per round of max(pledged - goal, 0) / goal");
  s.scalar("funded_ratio", "1", "mean per round of pledged / goal");
  s.scalar("pledgers", "agents", "mean number of pledgers per round");
  s.scalar("first_provided_round", "rounds", "first round the good was provided (0: never)");
  s.scalar("gini_paid", "1", "Gini coefficient of what the contributors paid over the run");
  s.series_output("provided", "1", "1 if the good was provided in the round (NaN at round 0)");
  s.series_output("funded", "1", "pledged / goal in the round");
  s.series_output("pledger_count", "agents", "pledgers in the round");
  s.series_output("bonus_paid", "money", "bonuses paid in the round");
  s.series_output("round_surplus", "money", "contributors' payoffs in the round");
  s.vector("funded_ratio_hist", "funded_ratio_bin", "1",
           "share of rounds whose pledged/goal fell in [0.1 b, 0.1 (b+1)), b = 0..19; the last bin is [1.9, inf)",
           [](const Params&) { return kRatioBins; });
  return s;
}

Campaign campaign_of(const Params& p) {
  Campaign c;
  c.mechanism = assurance::parse_mechanism(p.choice("mechanism"));
  c.mode = p.choice("threshold_kind") == "count" ? pledges::Threshold::count : pledges::Threshold::sum;
  c.cost = std::max<std::int64_t>(1, to_cents(p.real("cost")));
  c.backers = p.integer("threshold");
  const bool proportional = p.choice("bonus_kind") == "proportional";
  c.bonus = p.real("bonus") > 0 ? (proportional ? pledges::Bonus::proportional : pledges::Bonus::per_pledger)
                                : pledges::Bonus::none;
  c.bonus_amount = proportional ? static_cast<std::int64_t>(std::llround(p.real("bonus") * 1e6)) : to_cents(p.real("bonus"));
  c.validate();
  return c;
}

std::vector<std::int64_t> draw_values(const Run& run) {
  const Params& p = run.params();
  const auto n = static_cast<std::size_t>(p.integer("contributors"));
  const double low = p.real("value_low"), high = p.real("value_high");
  const ValueDistribution dist = p.choice("value_dist") == "power"
                                     ? ValueDistribution::power(p.real("value_exponent"), low, high)
                                     : ValueDistribution::uniform(low, high);
  std::vector<double> v(n);
  Stream stream = run.stream(kValueTag);
  dist.draw(stream, v);
  std::vector<std::int64_t> cents(n);
  for (std::size_t i = 0; i < n; ++i) cents[i] = static_cast<std::int64_t>(std::floor(v[i] * 100.0));
  return cents;
}

class AssuranceContract {
 public:
  explicit AssuranceContract(Run& run)
      : run_(run),
        campaign_(campaign_of(run.params())),
        values_(draw_values(run)),
        live_(run.params().choice("information") == "live"),
        learning_(run.params().choice("behaviour") == "learning"),
        levels_(campaign_.mode == pledges::Threshold::count ? 2 : static_cast<std::size_t>(run.params().integer("pledge_levels"))),
        learner_(values_.size(), levels_,
                 learning::RothErevParams{run.params().real("recency"), run.params().real("experimentation"),
                                          run.params().real("initial_propensity"), 0.0, learning::Spread::neighbours}),
        pledges_(values_.size()),
        actions_(values_.size()),
        payoffs_(values_.size()),
        rewards_(values_.size()),
        paid_(values_.size(), 0),
        histogram_(kRatioBins, 0.0) {
    for (const std::int64_t v : values_) total_value_ += v;
    positive_values_ = std::count_if(values_.begin(), values_.end(), [](std::int64_t v) { return v > 0; });
    if (!learning_) sealed_equilibrium_ = assurance::equilibrium_pledges(campaign_, values_);
  }

  void step(std::int64_t round) {
    const auto r = static_cast<std::uint32_t>(round);
    if (learning_) learner_.choose_all(run_.seed(), kChoiceTag, r, actions_);
    if (live_) pledge_live(r);
    else if (learning_)
      for (std::size_t i = 0; i < values_.size(); ++i) pledges_[i] = intended(i);
    else pledges_ = sealed_equilibrium_;

    const assurance::Result result = assurance::settle(campaign_, pledges_);
    assurance::payoffs(campaign_, result, values_, payoffs_);
    account(round, result);
    if (learning_) {
      // Shifted by the most a pledge can lose (its value, or the price), so rewards are >= 0.
      for (std::size_t i = 0; i < values_.size(); ++i)
        rewards_[i] = static_cast<double>(payoffs_[i] + std::max(values_[i], campaign_.price())) / 100.0;
      learner_.update_all(actions_, rewards_);
    }
  }

  void record(Run& run) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    run.record("provided", rounds_ ? last_.provided : nan);
    run.record("funded", rounds_ ? last_.funded : nan);
    run.record("pledger_count", rounds_ ? last_.pledgers : nan);
    run.record("bonus_paid", rounds_ ? last_.bonus : nan);
    run.record("round_surplus", rounds_ ? last_.surplus : nan);
  }

  void finish(Run& run) {
    const double n = std::max<double>(1, static_cast<double>(rounds_));
    const double max_surplus = static_cast<double>(std::max<std::int64_t>(0, total_value_ - campaign_.cost)) / 100.0;
    run.set("provision_rate", static_cast<double>(provided_rounds_) / n);
    run.set("efficiency", analysis::allocative_efficiency(static_cast<double>(welfare_) / 100.0, max_surplus * static_cast<double>(rounds_)));
    run.set("max_surplus", max_surplus);
    run.set("welfare", static_cast<double>(welfare_) / 100.0 / n);
    run.set("contributor_surplus", static_cast<double>(surplus_) / 100.0 / n);
    run.set("organiser_profit", static_cast<double>(organiser_) / 100.0 / n);
    run.set("bonus_cost", static_cast<double>(bonuses_) / 100.0 / n);
    run.set("free_riding", free_riding_ / n);
    run.set("over_pledging", over_pledging_ / n);
    run.set("funded_ratio", funded_ / n);
    run.set("pledgers", pledger_sum_ / n);
    run.set("first_provided_round", static_cast<double>(first_provided_));
    run.set("gini_paid", analysis::gini(std::span<const std::int64_t>(paid_)));
    for (double& h : histogram_) h /= n;
    run.set_vector("funded_ratio_hist", histogram_);
  }

 private:
  // A learner's pledge for its chosen level: a share of its value, or the price.
  std::int64_t intended(std::size_t i) const {
    if (campaign_.mode == pledges::Threshold::count) return actions_[i] == 1 ? campaign_.price() : 0;
    return values_[i] * static_cast<std::int64_t>(actions_[i]) / static_cast<std::int64_t>(levels_ - 1);
  }

  void pledge_live(std::uint32_t round) {
    const auto order = pledges::arrival_order(run_.seed(), kArrivalTag, round, static_cast<std::uint32_t>(values_.size()));
    if (learning_) {
      // A learner who sees the goal met free-rides, and never pledges beyond what is missing.
      pledges::pledge_live(order, std::span<std::int64_t>(pledges_), [&](std::uint32_t i, const pledges::State& s) {
        const std::int64_t missing = campaign_.missing(s);
        if (missing == 0) return std::int64_t{0};
        const std::int64_t want = intended(i);
        return campaign_.mode == pledges::Threshold::sum ? std::min(want, missing) : want;
      });
      return;
    }
    // Equilibrium: the sequential rule where the campaign can be provided, else the sealed profile.
    const bool feasible = campaign_.mode == pledges::Threshold::sum
                              ? total_value_ >= campaign_.cost
                              : std::count_if(values_.begin(), values_.end(), [&](std::int64_t v) {
                                  return v >= campaign_.price();
                                }) >= campaign_.backers;
    std::int64_t value_to_come = total_value_;
    std::int64_t eligible_to_come = std::count_if(values_.begin(), values_.end(), [&](std::int64_t v) { return v >= campaign_.price(); });
    pledges::pledge_live(order, std::span<std::int64_t>(pledges_), [&](std::uint32_t i, const pledges::State& s) {
      const std::int64_t v = values_[i];
      const std::int64_t pledge = feasible ? assurance::live_equilibrium_pledge(campaign_, s, v, value_to_come, eligible_to_come)
                                           : sealed_equilibrium_[i];
      value_to_come -= v;
      if (v >= campaign_.price()) --eligible_to_come;
      return pledge;
    });
  }

  void account(std::int64_t round, const assurance::Result& result) {
    const auto& t = result.settlement.totals;
    ++rounds_;
    std::int64_t surplus = 0;
    for (const std::int64_t u : payoffs_) surplus += u;
    for (std::size_t i = 0; i < values_.size(); ++i) paid_[i] += result.settlement.collected[i];
    const std::int64_t organiser = t.collected - (result.provided ? campaign_.cost : 0) - t.bonuses;
    const double goal = static_cast<double>(campaign_.goal());
    const double funded = static_cast<double>(t.pledged) / goal;
    std::int64_t free_riders = 0;
    for (std::size_t i = 0; i < values_.size(); ++i) free_riders += values_[i] > 0 && pledges_[i] == 0;
    surplus_ += surplus;
    organiser_ += organiser;
    bonuses_ += t.bonuses;
    welfare_ += result.provided ? total_value_ - campaign_.cost : 0;
    free_riding_ += positive_values_ ? static_cast<double>(free_riders) / static_cast<double>(positive_values_) : 0.0;
    over_pledging_ += std::max(0.0, funded - 1.0);
    funded_ += funded;
    pledger_sum_ += static_cast<double>(t.pledgers);
    if (result.provided) {
      ++provided_rounds_;
      if (first_provided_ == 0) first_provided_ = round;
    }
    const auto bin = std::min<std::size_t>(kRatioBins - 1, static_cast<std::size_t>(funded / kRatioBinWidth));
    histogram_[bin] += 1.0;
    last_ = {result.provided ? 1.0 : 0.0, funded, static_cast<double>(t.pledgers), static_cast<double>(t.bonuses) / 100.0,
             static_cast<double>(surplus) / 100.0};
  }

  struct RoundRecord {
    double provided = 0, funded = 0, pledgers = 0, bonus = 0, surplus = 0;
  };

  Run& run_;
  Campaign campaign_;
  std::vector<std::int64_t> values_;
  bool live_, learning_;
  std::size_t levels_;
  learning::RothErev learner_;
  std::vector<std::int64_t> pledges_, sealed_equilibrium_;
  std::vector<std::uint32_t> actions_;
  std::vector<std::int64_t> payoffs_;
  std::vector<double> rewards_;
  std::vector<std::int64_t> paid_;
  std::vector<double> histogram_;
  std::int64_t total_value_ = 0, positive_values_ = 0;
  std::int64_t rounds_ = 0, provided_rounds_ = 0, first_provided_ = 0;
  std::int64_t surplus_ = 0, organiser_ = 0, bonuses_ = 0, welfare_ = 0;
  double free_riding_ = 0, over_pledging_ = 0, funded_ = 0, pledger_sum_ = 0;
  RoundRecord last_;
};

}  // namespace

MARKETSIM_SCENARIO(describe_assurance_contract, AssuranceContract);

}  // namespace marketsim
