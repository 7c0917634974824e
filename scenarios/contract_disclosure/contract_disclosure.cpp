// contract_disclosure: a platform renewing contracts with suppliers who learn the going
// rate from the deals they see. Equations, timing and tests: docs/models/contract_disclosure.md.
//
// Round t: (1) the platform offers each supplier a share (its staircase); (2) each supplier
// accepts iff the share covers its reservation max(w_i, b_i); (3) deals are recorded in the
// disclosure channel (club members in group 0 when the club pools terms); (4) each supplier
// updates its belief from the deals newly visible to it; the platform updates its bounds.
#include "scenarios/contract_disclosure/contract_disclosure.hpp"

#include <algorithm>
#include <array>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <numeric>

#include "analysis/round_metrics.hpp"
#include "sim/distributions.hpp"
#include "sim/error.hpp"

namespace marketsim {
namespace contract_disclosure {

void update_belief(Belief& b, BeliefRule rule, std::span<const double> seen, double rate, double weight0) {
  if (!(rate >= 0 && rate <= 1)) throw Error(fmt::format("contract_disclosure: learning_rate must be in [0, 1], got {}", rate));
  if (!(weight0 >= 0)) throw Error(fmt::format("contract_disclosure: prior_weight must be >= 0, got {}", weight0));
  if (seen.empty()) return;
  switch (rule) {
    case BeliefRule::max_observed:
      b.value = std::max(b.value, *std::max_element(seen.begin(), seen.end()));
      return;
    case BeliefRule::average: {
      const double mean = std::accumulate(seen.begin(), seen.end(), 0.0) / static_cast<double>(seen.size());
      b.value = (1 - rate) * b.value + rate * mean;
      return;
    }
    case BeliefRule::bayes:
      b.sum += std::accumulate(seen.begin(), seen.end(), 0.0);
      b.count += static_cast<double>(seen.size());
      b.value = (weight0 * b.prior + b.sum) / (weight0 + b.count);
      return;
  }
}

}  // namespace contract_disclosure

namespace {
namespace cd = contract_disclosure;

constexpr std::uint32_t kSupplierTag = 1;  // value and outside option (agent = supplier)
constexpr std::uint32_t kPlatformTag = 2;  // the platform's initial estimate (agent = supplier)
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr std::array<analysis::RoundMetric, 11> kMetrics = {{
    {"share_club", "1", "mean share of the deals of the club_size largest suppliers (tracked under every rule; NaN if none)"},
    {"share_others", "1", "mean share of the other suppliers' deals (NaN if none)"},
    {"share_dispersion", "1", "coefficient of variation of the shares of all deals (NaN without deals)"},
    {"failed_deals", "1", "share of suppliers who refused the platform's offer"},
    {"failed_club", "1", "share of the club_size largest suppliers who refused (NaN if club_size = 0)"},
    {"platform_profit", "money per supplier", "sum over deals of (1 - share) V, per supplier"},
    {"supplier_payoff", "money per supplier", "sum of share V over deals plus outside options w V after refusals, per supplier"},
    {"welfare", "money per supplier", "platform_profit + supplier_payoff"},
    {"income_club", "1", "mean over the club_size largest suppliers of what they got as a share of V: the deal's share, or w after a refusal"},
    {"income_others", "1", "the same for the other suppliers"},
    {"belief_club", "1", "mean belief about the going rate of the club_size largest suppliers (NaN if none)"},
}};
enum M { ShareClub, ShareOthers, Dispersion, Failed, FailedClub, Profit, Payoff, Welfare, IncomeClub, IncomeOthers,
         BeliefClub };

cd::BeliefRule belief_rule(const std::string& s) {
  return s == "max_observed" ? cd::BeliefRule::max_observed : s == "average" ? cd::BeliefRule::average : cd::BeliefRule::bayes;
}

}  // namespace

ScenarioInfo describe_contract_disclosure() {
  ScenarioInfo s;
  s.name = "contract_disclosure";
  s.summary = "Suppliers who share their contract terms with a platform that prices each of them";
  s.story =
      "A platform renews contracts with suppliers every round, offering each the smallest share of its value it "
      "expects the supplier to accept, learnt from acceptances and refusals. Suppliers demand at least their outside "
      "option and their belief about the going rate, updated from the deals they see. A club of the largest "
      "suppliers pools its terms. Does sharing give members a better deal (seed 003, AOL's content providers)? "
      "The sign depends on how beliefs update.";
  s.default_rounds = 60;
  auto& p = *s.schema;
  p.integer("suppliers", 100, {2, 1e4}, "suppliers", "number of suppliers (a round costs O(suppliers^2) under public disclosure)");
  p.real("value_mean", 100, {0, 1e9}, "money", "mean value V of a supplier to the platform (uniform on mean +- spread)");
  p.real("value_spread", 50, {0, 1e9}, "money", "half-width of the value distribution (<= value_mean)");
  p.real("outside_low", 0.1, {0, 1}, "1", "outside option w, as a share of V: uniform on [outside_low, outside_high]");
  p.real("outside_high", 0.4, {0, 1}, "1", "upper end of the outside-option share");
  p.real("legacy_premium", 0.2, {0, 1}, "1", "the contracts up for renewal pay w + uniform[0, legacy_premium] (the suppliers' first belief)");
  p.real("platform_info_sd", 0.05, {0, 10}, "1", "sd of the platform's first estimate of each supplier's reservation share (around its legacy share)");
  p.real("probe_step", 0.02, {0, 1}, "1", "the platform's staircase step in share");
  p.real("max_share", 0.6, {0, 1}, "1", "the platform's walk-away: it never offers a larger share (it can replace the supplier's content)");
  p.real("forget", 0.002, {0, 1}, "1", "per round, the platform's memory of a refusal fades by this much (so it probes again)");
  p.choice("coordination", "coalition", {"none", "coalition"}, "coalition: the club_size largest suppliers form a club");
  p.integer("club_size", 20, {0, 1e6}, "suppliers", "members of the club (the largest suppliers by V)");
  p.choice("disclosure", "group", {"private", "group", "public", "delayed"},
           "which deals a supplier sees: its own; also the club's, if a member (group); all (public); all after `lag` rounds");
  p.integer("lag", 2, {0, 1000}, "rounds", "delay under `delayed`");
  p.choice("belief_rule", "max_observed", {"max_observed", "average", "bayes"},
           "how a supplier's belief about the going rate moves with the deals it sees");
  p.real("learning_rate", 0.5, {0, 1}, "1", "weight of the newly seen mean under `average`");
  p.real("prior_weight", 1, {0, 1e6}, "observations", "weight of the prior (the legacy share) under `bayes`");
  p.check({"club_size", "suppliers"}, "club_size <= suppliers", [](const Params& q) { return q.integer("club_size") <= q.integer("suppliers"); });
  p.check({"outside_low", "outside_high"}, "outside_low <= outside_high",
          [](const Params& q) { return q.real("outside_low") <= q.real("outside_high"); });
  p.check({"value_spread", "value_mean"}, "value_spread <= value_mean",
          [](const Params& q) { return q.real("value_spread") <= q.real("value_mean"); });
  analysis::RoundMetrics::declare_scalars(s, kMetrics);
  analysis::RoundMetrics::declare_series(s, kMetrics);
  return s;
}

ContractDisclosure::~ContractDisclosure() = default;

ContractDisclosure::ContractDisclosure(Run& run) : seed_(run.seed()), now_(kMetrics) {
  const Params& q = run.params();
  n_ = static_cast<std::uint32_t>(q.integer("suppliers"));
  belief_rule_ = belief_rule(q.choice("belief_rule"));
  const auto rule = disclosure::parse_rule(q.choice("disclosure"));
  pooling_ = q.choice("coordination") == "coalition" && rule == disclosure::Rule::group;
  step_ = q.real("probe_step");
  forget_ = q.real("forget");
  max_share_ = q.real("max_share");
  rate_ = q.real("learning_rate");
  weight0_ = q.real("prior_weight");
  lag_ = rule == disclosure::Rule::delayed ? q.integer("lag") : 0;
  channel_ = std::make_unique<disclosure::Channel>(rule, n_, lag_, lag_ + 1);
  const double mean = q.real("value_mean"), spread = q.real("value_spread");
  const double lo = q.real("outside_low"), hi = q.real("outside_high"), info_sd = q.real("platform_info_sd");
  const double premium = q.real("legacy_premium");
  value_.resize(n_);
  outside_.resize(n_);
  belief_.resize(n_);
  learner_.resize(n_);
  for (std::uint32_t i = 0; i < n_; ++i) {
    Stream s(seed_, kSupplierTag, i);
    value_[i] = mean - spread + 2 * spread * s.uniform01();
    outside_[i] = lo + (hi - lo) * s.uniform01();
    // At first a supplier knows only its own contract, the legacy share it believes is the going rate.
    const double legacy = std::min(1.0, outside_[i] + premium * s.uniform01());
    belief_[i] = {legacy, legacy, 0, 0};
    Stream e(seed_, kPlatformTag, i);
    learner_[i] = {kInf, -kInf, legacy + info_sd * standard_normal(e)};
  }
  // The club: the club_size largest suppliers (ties by index), tracked under every rule.
  std::vector<std::uint32_t> order(n_);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return value_[a] > value_[b]; });
  club_.assign(n_, 0);
  for (std::int64_t k = 0; k < q.integer("club_size"); ++k) club_[order[static_cast<std::size_t>(k)]] = 1;
  offer_.assign(n_, kNaN);
  share_.assign(n_, kNaN);
}

void ContractDisclosure::step(std::int64_t t) {
  double club_sum = 0, other_sum = 0, sum = 0, sq = 0, profit = 0, payoff = 0, belief_sum = 0;
  double club_income = 0, other_income = 0;
  std::int64_t club_deals = 0, other_deals = 0, failed = 0, club_failed = 0, club_n = 0;
  for (std::uint32_t i = 0; i < n_; ++i) {
    const double s = std::clamp(next_offer(learner_[i], step_), 0.0, max_share_);
    offer_[i] = s;
    const double reservation = std::min(1.0, std::max(outside_[i], belief_[i].value));
    const bool deal = s >= reservation;
    share_[i] = deal ? s : kNaN;
    club_n += club_[i];
    (club_[i] ? club_income : other_income) += deal ? s : outside_[i];
    if (deal) {
      (club_[i] ? club_sum : other_sum) += s;
      ++(club_[i] ? club_deals : other_deals);
      sum += s, sq += s * s;
      profit += (1 - s) * value_[i];
      payoff += s * value_[i];
      channel_->record(t, i, pooling_ && club_[i] ? 0 : disclosure::kNoGroup, s);
    } else {
      ++failed;
      club_failed += club_[i];
      payoff += outside_[i] * value_[i];
    }
    learn(learner_[i], s, deal, forget_);
  }
  // Beliefs: each supplier sees the deals that became visible to it this round (its own of
  // round t; others' of round t, or of round t - lag under `delayed`).
  std::vector<disclosure::Deal> deals;
  std::vector<double> seen;
  const std::int64_t since = std::max<std::int64_t>(1, t - lag_);
  for (std::uint32_t i = 0; i < n_; ++i) {
    channel_->seen_deals(i, pooling_ && club_[i] ? 0 : disclosure::kNoGroup, t, since, deals);
    seen.clear();
    for (const auto& d : deals)
      if (d.round == (d.party == i ? t : t - lag_)) seen.push_back(d.terms);
    cd::update_belief(belief_[i], belief_rule_, seen, rate_, weight0_);
    if (club_[i]) belief_sum += belief_[i].value;
  }
  const double n = n_, deals_n = static_cast<double>(club_deals + other_deals);
  const double mean = deals_n > 0 ? sum / deals_n : kNaN;
  now_[ShareClub] = club_deals > 0 ? club_sum / static_cast<double>(club_deals) : kNaN;
  now_[ShareOthers] = other_deals > 0 ? other_sum / static_cast<double>(other_deals) : kNaN;
  now_[Dispersion] = deals_n > 0 && mean != 0 ? std::sqrt(std::max(0.0, sq / deals_n - mean * mean)) / mean : kNaN;
  now_[Failed] = static_cast<double>(failed) / n;
  now_[FailedClub] = club_n > 0 ? static_cast<double>(club_failed) / static_cast<double>(club_n) : kNaN;
  now_[Profit] = profit / n;
  now_[Payoff] = payoff / n;
  now_[Welfare] = (profit + payoff) / n;
  now_[IncomeClub] = club_n > 0 ? club_income / static_cast<double>(club_n) : kNaN;
  now_[IncomeOthers] = club_n < n_ ? other_income / static_cast<double>(n_ - club_n) : kNaN;
  now_[BeliefClub] = club_n > 0 ? belief_sum / static_cast<double>(club_n) : kNaN;
  now_.close_round();
}

void ContractDisclosure::record(Run& run) {
  now_.record(run);
}

void ContractDisclosure::finish(Run& run) {
  now_.finish(run);
}

MARKETSIM_SCENARIO(describe_contract_disclosure, ContractDisclosure);

}  // namespace marketsim
