// stadium_pact: repeated subsidy contests for sports franchises (seed 003).
//
// Timing of one year: cities join the pact (the pact is active iff members >= threshold)
// -> each team's lease expires with probability 1/lease_years; for each expiring lease, in
// team order, one contest: draw the team's site values a_i (incumbent + home_advantage),
// cities bid, bound cities decide whether to breach, contest::settle_contest (detection,
// penalties, the team's choice, payoffs) -> a poached member may leave -> every host
// observes a noisy realised benefit, published per the disclosure rule -> cities update
// their estimates. Equations and the behavioural rules: docs/models/stadium_pact.md.
#include "scenarios/stadium_pact/stadium_pact.hpp"

#include <boost/random/normal_distribution.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/inequality.hpp"
#include "sim/distributions.hpp"
#include "sim/error.hpp"

namespace marketsim {
namespace {

constexpr std::uint32_t kBenefitTag = 1;
constexpr std::uint32_t kEstimateTag = 2;
constexpr std::uint32_t kLeaseTag = 3;
constexpr std::uint32_t kFundamentalsTag = 4;
constexpr std::uint32_t kDetectTag = 5;
constexpr std::uint32_t kChoiceTag = 6;
constexpr std::uint32_t kSignalTag = 7;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();


}  // namespace

ScenarioInfo describe_stadium_pact() {
  ScenarioInfo s;
  s.name = "stadium_pact";
  s.summary = "Repeated subsidy contests for sports franchises, with learning and a contingent pact";
  s.story =
      "Teams whose leases expire are bid for by their city and all others, year after year, in the location "
      "contest of hq_bidding. The true local benefit of hosting is about zero but cities' estimates are "
      "optimistic (the 'sucker bet'); they learn from their own hosting and, if outcomes are published, from "
      "others'. A contingent pact binds its members iff enough join; members leave after being poached, or "
      "breach when it pays (seed 003; Bradbury, Coates and Humphreys 2023; Bartik 2019).";
  s.default_rounds = 100;
  s.default_record_every = 1;
  auto& p = *s.schema;
  p.integer("teams", 30, {1, 1e6}, "teams", "franchises; team k starts in city k mod cities");
  p.integer("cities", 60, {2, 1e6}, "cities", "cities bidding for every expiring lease");
  p.integer("lease_years", 20, {1, 1e4}, "years", "a lease expires with probability 1/lease_years each year");
  p.real("home_advantage", 0.1, {0, 1e6}, "money", "the incumbent city's extra value to its team");
  p.real("fundamentals_sd", 0.1, {0, 1e6}, "money", "sd of a team's value a_i of each site, drawn per contest");
  p.real("benefit_mean", 0.0, {-1e6, 1e6}, "money", "mean true net local benefit of hosting a team for a lease");
  p.real("benefit_sd", 0.2, {0, 1e6}, "money", "sd of the true benefit B_i ~ N(mean, sd^2) across cities");
  p.real("estimate_sd", 0.3, {0, 1e6}, "money", "sd of a city's initial estimate error: e_i = B_i + bias + N(0, sd^2)");
  p.real("bias", 0.3, {-1e6, 1e6}, "money", "optimism of the initial estimates");
  p.real("bid_share", 0.8, {0, 1}, "1", "a city bids S = bid_share x max(e_i, 0) / unit cost");
  p.real("learning_rate", 0.1, {0, 1}, "1", "weight of the newly seen outcomes in a city's estimate each year");
  p.real("signal_sd", 1.0, {0, 1e6}, "money", "sd of the noise in a host's yearly realised benefit around B_i");
  p.choice("disclosure", "private", {"private", "public", "delayed"},
           "whose realised benefits a city sees: its own (private), every host's (public), others' after lag years");
  p.integer("lag", 5, {0, 1000}, "years", "delayed: others' outcomes are seen lag years later");
  p.choice("coordination", "none", {"none", "pact"}, "none: free-for-all; pact: binds members iff members >= threshold");
  contest::add_pact_terms_params(p);
  p.choice("join_rule", "expected", {"expected", "always", "never"},
           "expected: a city joins when the pact's expected value (mean winner cost so far - its estimate) is "
           "positive and the pact can bind; always / never: fixed");
  p.choice("leave_rule", "poached", {"poached", "never"},
           "poached: a member that loses its team to another city leaves the pact for good; never: members stay");
  p.integer("threshold", 30, {1, 1e7}, "cities", "the pact binds iff at least this many cities are members");
  contest::add_enforcement_params(p);
  p.real("choice_noise", 0.0, {0, 1e6}, "money", "logit scale of the team's choice (0: the highest a_i + S_i wins)");

  s.scalar("contests", "contests", "leases that expired (one contest each)");
  s.scalar("mean_subsidy", "money", "subsidy paid per contest");
  s.scalar("public_cost", "money", "cumulative winner cost (1 + lambda) S + (1 - school_value) school");
  s.scalar("true_benefit", "money", "cumulative true benefit B_w of the winners");
  s.scalar("cost_benefit_gap", "money", "public_cost - true_benefit (the sucker bet when > 0)");
  s.scalar("gap_growth_early", "money/year", "growth of the gap per year over the first third of the run");
  s.scalar("gap_growth_late", "money/year", "growth of the gap per year over the last third of the run");
  s.scalar("welfare", "money", "cumulative welfare: cities' payoffs + teams' surplus");
  s.scalar("cities_payoff", "money", "cumulative sum of the cities' contest payoffs");
  s.scalar("team_surplus", "money", "cumulative teams' surplus a_w + S");
  s.scalar("winner_fundamentals", "money", "cumulative a_w of the winning sites");
  s.scalar("subsidy_total", "money", "cumulative subsidy paid");
  s.scalar("school_investment", "money", "cumulative school investment of compliant bound winners");
  s.scalar("relocations", "teams", "contests won by a city other than the incumbent");
  s.scalar("breaches", "cities", "breaches of the pact (bound cities bidding as if unbound), in all contests");
  s.scalar("detected", "cities", "breaches detected");
  s.scalar("penalties", "money", "cumulative penalties paid (= received)");
  s.scalar("members_final", "cities", "pact members at the end");
  s.scalar("pact_active_share", "1", "share of years in which the pact bound its members");
  s.scalar("estimate_error_final", "money", "mean over cities of e_i - B_i at the end");
  s.scalar("hosting_gini", "1", "Gini of the teams hosted per city at the end");
  s.scalar("identity_error", "money", "max |welfare - (B_w + a_w - lambda S - (1 - school_value) school)| over contests");
  s.series_output("subsidy_t", "money", "mean subsidy per contest in year t (NaN without a contest)");
  s.series_output("contests_t", "contests", "leases that expired in year t");
  s.series_output("members_t", "cities", "pact members in year t");
  s.series_output("pact_active_t", "1", "1 if the pact bound its members in year t");
  s.series_output("breaches_t", "cities", "breaches in year t");
  s.series_output("relocations_t", "teams", "teams that moved in year t");
  s.series_output("public_cost_t", "money", "cumulative public cost to the end of year t");
  s.series_output("true_benefit_t", "money", "cumulative true benefit to the end of year t");
  s.series_output("welfare_t", "money", "cumulative welfare to the end of year t");
  s.series_output("estimate_error_t", "money", "mean over cities of e_i - B_i at the end of year t");
  return s;
}

StadiumPact::StadiumPact(Run& run)
    : seed_(run.seed()),
      outcomes_(disclosure::parse_rule(run.params().choice("disclosure")),
                static_cast<std::uint32_t>(run.params().integer("cities")), run.params().integer("lag"),
                run.params().integer("lag") + 1) {
  const auto& p = run.params();
  teams_ = static_cast<std::size_t>(p.integer("teams"));
  cities_ = static_cast<std::size_t>(p.integer("cities"));
  rounds_ = p.integer("rounds");
  if (static_cast<double>(rounds_) * static_cast<double>(teams_) >= 4294967296.0)
    throw Error(fmt::format("stadium_pact: rounds x teams must be below 2^32 (one stream key per contest), got {} x {}",
                            rounds_, teams_));
  expiry_prob_ = 1.0 / static_cast<double>(p.integer("lease_years"));
  home_advantage_ = p.real("home_advantage");
  fundamentals_sd_ = p.real("fundamentals_sd");
  bid_share_ = p.real("bid_share");
  learning_rate_ = p.real("learning_rate");
  signal_sd_ = p.real("signal_sd");
  pact_ = p.choice("coordination") == "pact";
  const auto& jr = p.choice("join_rule");
  join_rule_ = jr == "always" ? JoinRule::always : jr == "never" ? JoinRule::never : JoinRule::expected;
  leave_when_poached_ = p.choice("leave_rule") == "poached";
  threshold_ = p.integer("threshold");
  lag_ = outcomes_.rule() == disclosure::Rule::delayed ? p.integer("lag") : 0;
  terms_ = contest::pact_terms(p);
  firm_ = {Pricing::first_price, std::numeric_limits<double>::lowest(), p.real("choice_noise")};
  last_winning_score_ = kInf;  // before any contest a city cannot tell what wins

  const double mean = p.real("benefit_mean"), sd = p.real("benefit_sd");
  const double bias = p.real("bias"), esd = p.real("estimate_sd");
  for (auto* v : {&benefit_, &estimate_, &fundamentals_, &bid_, &payoff_, &cum_payoff_, &hosted_}) v->assign(cities_, 0.0);
  for (auto* v : {&member_, &left_, &bound_, &breach_}) v->assign(cities_, 0);
  for (std::size_t i = 0; i < cities_; ++i) {
    const auto ci = static_cast<std::uint32_t>(i);
    Stream sb(seed_, kBenefitTag, ci), se(seed_, kEstimateTag, ci);
    benefit_[i] = mean + sd * standard_normal(sb);
    estimate_[i] = benefit_[i] + bias + esd * standard_normal(se);
  }
  home_.resize(teams_);
  for (std::size_t k = 0; k < teams_; ++k) {
    home_[k] = k % cities_;
    hosted_[home_[k]] += 1;
  }
  gap_by_year_.reserve(static_cast<std::size_t>(rounds_) + 1);
  gap_by_year_.push_back(0.0);
}

// Joining: a city joins when it expects the bidding war to cost the winner more than a
// team is worth to it (mean winner cost so far > its estimate), and only if the pact can
// ever bind (threshold <= cities). A city that left after being poached stays out.
void StadiumPact::update_membership() {
  if (!pact_) return;
  const bool can_bind = threshold_ <= static_cast<std::int64_t>(cities_);
  const double mean_cost = contests_ ? cost_ / static_cast<double>(contests_) : kNaN;
  std::int64_t members = 0;
  for (std::size_t i = 0; i < cities_; ++i) {
    if (!member_[i] && !left_[i]) {
      switch (join_rule_) {
        case JoinRule::always: member_[i] = 1; break;
        case JoinRule::never: break;
        case JoinRule::expected: member_[i] = can_bind && mean_cost - estimate_[i] > 0; break;
      }
    }
    members += member_[i];
  }
  active_ = members >= threshold_;
}

void StadiumPact::hold_contest(std::size_t team, std::int64_t round) {
  const auto key = static_cast<std::uint32_t>(static_cast<std::uint64_t>(round - 1) * teams_ + team);
  const std::size_t home = home_[team];
  const double cost_free = contest::unit_cost(terms_, false), cost_bound = contest::unit_cost(terms_, true);
  const double limit = contest::subsidy_limit(terms_);
  for (std::size_t i = 0; i < cities_; ++i) {
    Stream sf(seed_, kFundamentalsTag, static_cast<std::uint32_t>(i), key);
    fundamentals_[i] = (i == home ? home_advantage_ : 0.0) + fundamentals_sd_ * standard_normal(sf);
    const double value = std::max(estimate_[i], 0.0);
    const double free = bid_share_ * value / cost_free;
    bound_[i] = active_ && member_[i];
    breach_[i] = 0;
    bid_[i] = free;
    if (!bound_[i]) continue;
    // A bound city compares the two bids against the last winning score (what it believes
    // it takes to win), judged with its own estimate, and breaches when that pays.
    const double comply = std::min(bid_share_ * value / cost_bound, limit);
    auto wins = [&](double s) { return fundamentals_[i] + s >= last_winning_score_; };
    const double if_comply = wins(comply) ? estimate_[i] - cost_bound * comply : 0.0;
    const double if_breach =
        (wins(free) ? estimate_[i] - cost_free * free : 0.0) - terms_.detect_prob * terms_.penalty;
    breach_[i] = free > comply && if_breach > if_comply;
    bid_[i] = breach_[i] ? free : comply;
  }
  Stream detection(seed_, kDetectTag, 0, key), choice(seed_, kChoiceTag, 0, key);
  const auto out = contest::settle_contest({fundamentals_, benefit_, bid_, bound_, breach_}, terms_, firm_, detection,
                                           choice, payoff_);
  ++contests_;
  ++year_contests_;
  year_subsidy_ += out.subsidy;
  year_breaches_ += static_cast<std::int64_t>(out.breaches);
  breaches_ += static_cast<std::int64_t>(out.breaches);
  detected_ += static_cast<std::int64_t>(out.detected);
  subsidy_ += out.subsidy;
  school_ += out.school;
  cost_ += out.winner_cost;
  benefit_won_ += out.winner_benefit;
  welfare_ += out.welfare;
  team_surplus_ += out.firm_surplus;
  cities_payoff_ += out.cities_payoff;
  penalties_ += out.penalties;
  fundamentals_won_ += out.winner_fundamentals;
  for (std::size_t i = 0; i < cities_; ++i) cum_payoff_[i] += payoff_[i];
  const double identity = out.winner_benefit + out.winner_fundamentals - terms_.public_funds_cost * out.subsidy -
                          (1 - terms_.school_value) * out.school;
  identity_error_ = std::max(identity_error_, std::abs(out.welfare - identity));
  if (!out.sold()) return;  // the team stays (cannot happen without a reserve; kept for safety)
  last_winning_score_ = out.winner_fundamentals + out.subsidy;
  if (out.winner == home) return;
  ++relocations_;
  ++year_relocations_;
  hosted_[home] -= 1;
  hosted_[out.winner] += 1;
  home_[team] = out.winner;
  if (leave_when_poached_ && member_[home]) {
    member_[home] = 0;
    left_[home] = 1;
  }
}

// Every host observes B_h + noise for each team it hosts; the channel decides who sees it.
// Each city moves its estimate toward the mean of the outcomes it sees from the last lag + 1
// years (its own at once; others' under public, or lag years late under delayed).
void StadiumPact::learn(std::int64_t round) {
  for (std::size_t k = 0; k < teams_; ++k) {
    Stream s(seed_, kSignalTag, static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(round));
    const std::size_t h = home_[k];
    outcomes_.record(round, static_cast<std::uint32_t>(h), disclosure::kNoGroup,
                     benefit_[h] + signal_sd_ * standard_normal(s));
  }
  if (learning_rate_ == 0) return;
  for (std::size_t i = 0; i < cities_; ++i) {
    const auto seen = outcomes_.seen(static_cast<std::uint32_t>(i), disclosure::kNoGroup, round, round - lag_);
    if (!seen.empty()) estimate_[i] += learning_rate_ * (seen.mean() - estimate_[i]);
  }
}

void StadiumPact::step(std::int64_t round) {
  year_contests_ = year_breaches_ = year_relocations_ = 0;
  year_subsidy_ = 0;
  update_membership();
  active_years_ += active_;
  ++years_;
  for (std::size_t k = 0; k < teams_; ++k) {
    Stream lease(seed_, kLeaseTag, static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(round));
    if (lease.uniform01() < expiry_prob_) hold_contest(k, round);
  }
  learn(round);
  gap_by_year_.push_back(cost_ - benefit_won_);
}

void StadiumPact::record(Run& run) {
  const bool start = years_ == 0;
  std::int64_t members = 0;
  for (auto m : member_) members += m;
  double error = 0;
  for (std::size_t i = 0; i < cities_; ++i) error += estimate_[i] - benefit_[i];
  run.record("subsidy_t", year_contests_ ? year_subsidy_ / static_cast<double>(year_contests_) : kNaN);
  run.record("contests_t", start ? kNaN : static_cast<double>(year_contests_));
  run.record("members_t", static_cast<double>(members));
  run.record("pact_active_t", start ? kNaN : static_cast<double>(active_));
  run.record("breaches_t", start ? kNaN : static_cast<double>(year_breaches_));
  run.record("relocations_t", start ? kNaN : static_cast<double>(year_relocations_));
  run.record("public_cost_t", cost_);
  run.record("true_benefit_t", benefit_won_);
  run.record("welfare_t", welfare_);
  run.record("estimate_error_t", error / static_cast<double>(cities_));
}

void StadiumPact::finish(Run& run) {
  std::int64_t members = 0;
  for (auto m : member_) members += m;
  double error = 0;
  for (std::size_t i = 0; i < cities_; ++i) error += estimate_[i] - benefit_[i];
  // Gap growth per year over the first and the last third of the run.
  const auto years = static_cast<std::int64_t>(gap_by_year_.size()) - 1;
  const std::int64_t third = years / 3;
  auto growth = [&](std::int64_t from, std::int64_t to) {
    return third > 0 ? (gap_by_year_[static_cast<std::size_t>(to)] - gap_by_year_[static_cast<std::size_t>(from)]) /
                           static_cast<double>(to - from)
                     : kNaN;
  };
  run.set("contests", static_cast<double>(contests_));
  run.set("mean_subsidy", contests_ ? subsidy_ / static_cast<double>(contests_) : kNaN);
  run.set("public_cost", cost_);
  run.set("true_benefit", benefit_won_);
  run.set("cost_benefit_gap", cost_ - benefit_won_);
  run.set("gap_growth_early", growth(0, third));
  run.set("gap_growth_late", growth(years - third, years));
  run.set("welfare", welfare_);
  run.set("cities_payoff", cities_payoff_);
  run.set("team_surplus", team_surplus_);
  run.set("winner_fundamentals", fundamentals_won_);
  run.set("subsidy_total", subsidy_);
  run.set("school_investment", school_);
  run.set("relocations", static_cast<double>(relocations_));
  run.set("breaches", static_cast<double>(breaches_));
  run.set("detected", static_cast<double>(detected_));
  run.set("penalties", penalties_);
  run.set("members_final", static_cast<double>(members));
  run.set("pact_active_share", years_ ? static_cast<double>(active_years_) / static_cast<double>(years_) : kNaN);
  run.set("estimate_error_final", error / static_cast<double>(cities_));
  run.set("hosting_gini", analysis::gini(hosted_));
  run.set("identity_error", identity_error_);
}

MARKETSIM_SCENARIO(describe_stadium_pact, StadiumPact);

}  // namespace marketsim
