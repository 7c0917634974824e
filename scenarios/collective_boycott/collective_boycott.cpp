// collective_boycott: prospects versus a college cartel (seed 003).
//
// "What would happen if the 1,000 top high school football prospects all agreed not to
// play a few games unless colleges paid them?" Each season the prospects decide, by
// Roth-Erev reinforcement, whether to pledge to sit out `games` games unless paid; the
// pledge binds only if at least `threshold` sign (markets/threshold_pledge.hpp, count
// mode). Colleges either compete (every prospect earns the value of the marginal
// prospect) or hold `wage_cap` as a cartel. Facing a binding boycott the cartel bargains
// (markets/bargaining.hpp) or, with `divide_and_conquer`, peels pledgers away one by one
// with side payments, each detected with `detect_prob`. Side deals go through a
// disclosure channel (markets/disclosure.hpp): under `disclosure = public` every deal's
// terms are published, so the pact sees, and voids, every side deal and the cartel,
// knowing it, does not try to peel (Stigler 1964: secret deviations undermine a cartel,
// observable ones do not). Equations, known results and tests:
// docs/models/collective_boycott.md.
#include "scenarios/collective_boycott/collective_boycott.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>

#include "agents/bidders.hpp"
#include "agents/learning.hpp"
#include "analysis/inequality.hpp"
#include "markets/bargaining.hpp"
#include "markets/disclosure.hpp"
#include "markets/threshold_pledge.hpp"
#include "sim/error.hpp"
#include "sim/scenario.hpp"

namespace marketsim::boycott {

double competitive_wage(std::span<const double> revenue_per_game, double season_games) {
  if (revenue_per_game.empty()) throw Error("collective_boycott: competitive_wage needs at least one prospect");
  return *std::min_element(revenue_per_game.begin(), revenue_per_game.end()) * season_games;
}

double bargained_wage(double revenue_at_stake, double sitting_out_cost, double power, std::int64_t pledgers,
                      double wage_cap, double ceiling) {
  if (pledgers < 1) throw Error(fmt::format("collective_boycott: a binding boycott needs pledgers >= 1, got {}", pledgers));
  // Party 1 = the boycott, party 2 = the cartel; agreement moves money only: surplus 0.
  const auto deal = bargaining::nash_transferable(0.0, -sitting_out_cost, -revenue_at_stake, power);
  const double raise = std::max(0.0, deal.u1) / static_cast<double>(pledgers);
  return std::max(wage_cap, std::min(ceiling, wage_cap + raise));
}

double expected_peel_cost(std::int64_t needed, double side_payment, double detect_prob) {
  if (!(detect_prob >= 0 && detect_prob <= 1))
    throw Error(fmt::format("collective_boycott: detect_prob must be in [0, 1], got {}", detect_prob));
  if (needed <= 0) return 0;
  if (detect_prob >= 1) return std::numeric_limits<double>::infinity();
  return static_cast<double>(needed) * side_payment / (1 - detect_prob);
}

}  // namespace marketsim::boycott

namespace marketsim {
namespace {

constexpr std::uint32_t kRevenueTag = 1;  // revenue per game of each prospect
constexpr std::uint32_t kCostTag = 2;     // each prospect's cost of pledging
constexpr std::uint32_t kChoiceTag = 3;   // pledge or not, per (prospect, round)
constexpr std::uint32_t kPeelTag = 4;     // the order in which the cartel approaches pledgers
constexpr std::uint32_t kDetectTag = 5;   // whether a side deal is detected, per (prospect, round)

ScenarioInfo describe_collective_boycott() {
  ScenarioInfo s;
  s.name = "collective_boycott";
  s.summary = "Prospects pledge a contingent boycott against a college wage cartel that may peel them away";
  s.story =
      "Top prospects pledge to sit out games unless paid; the pledge binds only if enough sign. A college cartel "
      "holding a wage cap bargains with a binding boycott (Nash bargaining with the boycott's revenue threat) or "
      "peels pledgers away one by one with side payments that are detected with some probability (divide and "
      "conquer; Segal 1999); under public disclosure every deal is published, so side deals are always detected. "
      "Competitive colleges pay the value of the marginal prospect, the benchmark. "
      "Prospects learn whether to pledge by Roth-Erev reinforcement.";
  s.default_rounds = 100;
  auto& p = *s.schema;
  p.integer("prospects", 1000, {1, 1e7}, "agents", "number of prospects N");
  p.integer("colleges", 100, {1, 1e6}, "colleges", "number of colleges (per-college outputs)");
  p.choice("employers", "cartel", {"cartel", "competitive"},
           "cartel: colleges hold wage_cap together; competitive: they bid wages up to the marginal prospect's value");
  p.choice("coordination", "pact", {"none", "pact"}, "none: no boycott is possible; pact: the contingent boycott");
  p.integer("threshold", 500, {1, 1e9}, "agents", "pledges needed for the boycott to bind");
  p.real("games", 3, {0, 1e3}, "games", "games the boycotters threaten to sit out");
  p.real("season_games", 12, {1, 1e3}, "games", "games in a season");
  p.real("wage_cap", 0, {0, 1e9}, "money", "the cartel's wage per season");
  p.real("revenue_low", 1, {0, 1e9}, "money", "lowest revenue a prospect brings per game");
  p.real("revenue_high", 3, {0, 1e9}, "money", "highest revenue a prospect brings per game (uniform)");
  p.real("pledge_cost", 1, {0, 1e9}, "money", "a binding pledge costs prospect i c_i ~ uniform[0, pledge_cost]");
  p.real("exposure_cost", 0.1, {0, 1e9}, "money", "what sitting out one game costs a boycotter (its threat point)");
  p.real("power", 0.5, {0, 1}, "1", "the boycott's Nash bargaining power");
  p.boolean("divide_and_conquer", false, "the cartel may break a binding boycott with side payments");
  p.real("detect_prob", 0.5, {0, 1}, "1",
         "probability that a private side deal is detected (then void; the college pays a fine)");
  p.choice("disclosure", "private", {"private", "public"},
           "private: a side deal is seen by its parties only (detected with detect_prob); public: every deal's terms "
           "are published, so the pact sees every side deal");
  p.real("recency", 0.05, {0, 1}, "1", "Roth-Erev forgetting phi");
  p.real("experimentation", 0.1, {0, 1}, "1", "Roth-Erev experimentation eps");
  p.real("initial_propensity", 1, {0, 1e9}, "money", "Roth-Erev initial propensity of pledging and of not pledging");
  p.check({"revenue_low", "revenue_high"}, "revenue_low < revenue_high",
          [](const Params& q) { return q.real("revenue_low") < q.real("revenue_high"); });
  p.check({"games", "season_games"}, "games <= season_games",
          [](const Params& q) { return q.real("games") <= q.real("season_games"); });

  s.scalar("wage", "money", "mean over rounds of the mean wage per prospect per season");
  s.scalar("competitive_wage", "money", "the benchmark: value of the marginal prospect over a season");
  s.scalar("shortfall", "1", "(competitive_wage - wage) / competitive_wage");
  s.scalar("boycott_success", "1", "share of rounds in which a binding boycott won a wage above the cap");
  s.scalar("binding_rate", "1", "share of rounds in which pledges reached the threshold");
  s.scalar("pledgers", "agents", "mean pledgers per round");
  s.scalar("defections", "agents", "mean pledgers per round who took an undetected side deal");
  s.scalar("side_payments", "money", "mean per round of side payments and fines paid by colleges");
  s.scalar("college_revenue", "money", "mean per round and college of game revenue");
  s.scalar("college_profit", "money", "mean per round and college of revenue - wages - side payments - fines");
  s.scalar("prospects_surplus", "money", "mean per round of the prospects' wages + side payments + fines - pledge costs");
  s.scalar("first_success_round", "rounds", "first round the boycott won a wage (0: never)");
  s.scalar("gini_earnings", "1", "Gini coefficient of the prospects' earnings over the run");
  s.series_output("mean_wage", "money", "mean wage per prospect in the round (NaN at round 0)");
  s.series_output("pledge_count", "agents", "pledgers in the round");
  s.series_output("defected", "agents", "defections in the round");
  s.series_output("binding", "1", "1 if the boycott bound in the round");
  return s;
}

class CollectiveBoycott {
 public:
  explicit CollectiveBoycott(Run& run)
      : run_(run),
        p_(run.params()),
        n_(static_cast<std::size_t>(p_.integer("prospects"))),
        cartel_(p_.choice("employers") == "cartel"),
        pact_(p_.choice("coordination") == "pact"),
        learner_(n_, 2, learning::RothErevParams{p_.real("recency"), p_.real("experimentation"),
                                                 p_.real("initial_propensity"), 0.0, learning::Spread::neighbours}),
        // The pact is one more observer (agent n_) on the channel; it never makes a deal.
        // Only the current season's side deals are queried: keep one round.
        deals_(disclosure::parse_rule(p_.choice("disclosure")), static_cast<std::uint32_t>(n_ + 1), 0, 1),
        revenue_(n_), cost_(n_), actions_(n_, 0), pledges_(n_, 0), rewards_(n_), earned_(n_, 0.0) {
    Stream rs = run.stream(kRevenueTag);
    ValueDistribution::uniform(p_.real("revenue_low"), p_.real("revenue_high")).draw(rs, revenue_);
    Stream cs = run.stream(kCostTag);
    ValueDistribution::uniform(0, std::max(p_.real("pledge_cost"), 1e-12)).draw(cs, cost_);
    if (p_.real("pledge_cost") == 0) std::fill(cost_.begin(), cost_.end(), 0.0);
    competitive_ = boycott::competitive_wage(revenue_, p_.real("season_games"));
    for (const double r : revenue_) season_revenue_ += r * p_.real("season_games");
  }

  void step(std::int64_t round) {
    const auto t = static_cast<std::uint32_t>(round);
    if (pact_) learner_.choose_all(run_.seed(), kChoiceTag, t, actions_);
    for (std::size_t i = 0; i < n_; ++i) pledges_[i] = pact_ && actions_[i] == 1 ? 1 : 0;
    const pledges::Rule rule{pledges::Threshold::count, p_.integer("threshold")};
    const pledges::Totals totals = pledges::settle_totals(rule, pledges_);
    const std::int64_t k = totals.pledgers;
    const double cap = p_.real("wage_cap");

    std::vector<double> wage(n_, cartel_ ? cap : competitive_), extra(n_, 0.0);
    double side_paid = 0, fines = 0;
    std::int64_t defected = 0;
    bool success = false;
    if (cartel_ && totals.formed) {
      double at_stake = 0;
      for (std::size_t i = 0; i < n_; ++i) at_stake += pledges_[i] ? revenue_[i] * p_.real("games") : 0.0;
      const double sit_out = static_cast<double>(k) * p_.real("games") * p_.real("exposure_cost");
      const double w = boycott::bargained_wage(at_stake, sit_out, p_.real("power"), k, cap, competitive_);
      const double s = w - cap;
      bool broken = false;
      if (s > 0 && p_.boolean("divide_and_conquer")) {
        const std::int64_t needed = k - rule.threshold + 1;
        const double concession = static_cast<double>(k) * s;
        if (boycott::expected_peel_cost(needed, s, detection()) < concession)
          broken = peel(t, needed, s, concession, extra, side_paid, fines, defected);
      }
      if (!broken && s > 0) {
        success = true;
        for (std::size_t i = 0; i < n_; ++i)
          if (pledges_[i] && extra[i] == 0) wage[i] = w;  // defectors signed at the cap
      }
    }
    // Fines for detected side deals go to the pact, shared equally among the prospects.
    const double fine_share = fines / static_cast<double>(n_);
    double wages = 0, surplus = 0;
    for (std::size_t i = 0; i < n_; ++i) {
      const double pledge_cost = totals.formed && pledges_[i] ? cost_[i] : 0.0;  // only a binding pledge costs
      const double earned = wage[i] + extra[i] + fine_share;
      const double u = earned - pledge_cost;
      wages += wage[i];
      surplus += u;
      earned_[i] += earned;
      rewards_[i] = u + p_.real("pledge_cost");  // shifted by the largest pledge cost: >= 0
    }
    if (pact_) learner_.update_all(actions_, rewards_);

    ++rounds_;
    wage_sum_ += wages / static_cast<double>(n_);
    binding_ += totals.formed;
    successes_ += success;
    if (success && first_success_ == 0) first_success_ = round;
    pledger_sum_ += static_cast<double>(k);
    defections_ += static_cast<double>(defected);
    side_sum_ += side_paid + fines;
    profit_sum_ += season_revenue_ - wages - side_paid - fines;
    surplus_sum_ += surplus;
    last_ = {wages / static_cast<double>(n_), static_cast<double>(k), static_cast<double>(defected),
             totals.formed ? 1.0 : 0.0};
  }

  void record(Run& run) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    run.record("mean_wage", rounds_ ? last_.wage : nan);
    run.record("pledge_count", rounds_ ? last_.pledgers : nan);
    run.record("defected", rounds_ ? last_.defected : nan);
    run.record("binding", rounds_ ? last_.binding : nan);
  }

  void finish(Run& run) {
    const double r = std::max<double>(1, static_cast<double>(rounds_));
    const double colleges = static_cast<double>(p_.integer("colleges"));
    const double wage = wage_sum_ / r;
    run.set("wage", wage);
    run.set("competitive_wage", competitive_);
    run.set("shortfall", competitive_ > 0 ? (competitive_ - wage) / competitive_ : 0.0);
    run.set("boycott_success", static_cast<double>(successes_) / r);
    run.set("binding_rate", static_cast<double>(binding_) / r);
    run.set("pledgers", pledger_sum_ / r);
    run.set("defections", defections_ / r);
    run.set("side_payments", side_sum_ / r);
    run.set("college_revenue", season_revenue_ / colleges);
    run.set("college_profit", profit_sum_ / r / colleges);
    run.set("prospects_surplus", surplus_sum_ / r);
    run.set("first_success_round", static_cast<double>(first_success_));
    run.set("gini_earnings", analysis::gini(std::span<const double>(earned_)));
  }

 private:
  // Probability that the pact detects a side deal: 1 when the channel shows every deal to
  // everyone (public), detect_prob when a deal is seen by its parties only (private).
  double detection() const {
    return deals_.rule() == disclosure::Rule::public_ ? 1.0 : p_.real("detect_prob");
  }

  // Records the side deal of prospect i on the channel; returns whether the pact sees it.
  bool pact_sees_side_deal(std::uint32_t round, std::uint32_t i, double s) {
    const std::uint32_t pact = static_cast<std::uint32_t>(n_);
    const std::int64_t before = deals_.seen(pact, disclosure::kNoGroup, round, round).count;
    deals_.record(round, i, disclosure::kNoGroup, s);
    return deals_.seen(pact, disclosure::kNoGroup, round, round).count > before;
  }

  // The cartel approaches pledgers in a random order, paying s to each; a detected deal is
  // void and its payment becomes a fine. It stops once the boycott no longer binds, or
  // when going on would cost more than conceding. Returns whether the boycott broke.
  bool peel(std::uint32_t round, std::int64_t needed, double s, double concession, std::vector<double>& extra,
            double& side_paid, double& fines, std::int64_t& defected) {
    const auto order = pledges::arrival_order(run_.seed(), kPeelTag, round, static_cast<std::uint32_t>(n_));
    const double d = p_.real("detect_prob");
    for (const std::uint32_t i : order) {
      if (defected >= needed) break;
      if (!pledges_[i]) continue;
      if (side_paid + fines + s > concession) break;
      const bool published = pact_sees_side_deal(round, i, s);
      Stream detect(run_.seed(), kDetectTag, i, round);
      if (published || boost::random::uniform_01<double>()(detect) < d) {
        fines += s;
      } else {
        side_paid += s;
        extra[i] = s;
        ++defected;
      }
    }
    return defected >= needed;
  }

  struct Last {
    double wage = 0, pledgers = 0, defected = 0, binding = 0;
  };

  Run& run_;
  const Params& p_;
  std::size_t n_;
  bool cartel_, pact_;
  learning::RothErev learner_;
  disclosure::Channel deals_;  // the side deals, under the run's disclosure rule
  std::vector<double> revenue_, cost_;
  std::vector<std::uint32_t> actions_;
  std::vector<std::int64_t> pledges_;
  std::vector<double> rewards_, earned_;
  double competitive_ = 0, season_revenue_ = 0;
  std::int64_t rounds_ = 0, binding_ = 0, successes_ = 0, first_success_ = 0;
  double wage_sum_ = 0, pledger_sum_ = 0, defections_ = 0, side_sum_ = 0, profit_sum_ = 0, surplus_sum_ = 0;
  Last last_;
};

}  // namespace

MARKETSIM_SCENARIO(describe_collective_boycott, CollectiveBoycott);

}  // namespace marketsim
