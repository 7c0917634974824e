// hq_bidding: fifty cities bid tax breaks for a firm's second headquarters (seed 003).
//
// Timing of one contest (one round): draw benefits B_i, estimates b_i and fundamentals
// a_i -> cities sign the pact (coordination = pact) -> the pact is active iff signers >=
// threshold -> cities bid sealed subsidies -> bound cities decide whether to breach ->
// breaches detected, penalties paid -> the firm chooses (scoring auction, logit noise)
// -> payoffs. coordination = cap binds every city by a cap mandated from above.
// The contest mechanism is in contest.hpp (shared with stadium_pact); story, equations,
// what is equilibrium and what is behavioural: docs/models/hq_bidding.md.
//
// Parameters (name = default [range]): cities = 50 [2, 10^6]; benefit_dist = lognormal |
// uniform, benefit_mean = 1, benefit_sd = 0.3; estimate_sd = 0.3, bias = 0.1, bias_aware;
// fundamentals_mean = 1, fundamentals_sd = 0.2; reserve = 0, choice_noise = 0; strategy =
// equilibrium | naive | learning, naive_share = 0.8, learn_levels/recency/experimentation;
// coordination = none | pact | cap, pact_rule = match | cap | ban, match = 5, school_value =
// 0.5, cap_level = 0.1, sign_rule = expected | always | never | fixed (fixed_signers = 25), threshold = "all";
// detect_prob = 1, penalty = 1; public_funds_cost = 0; disclosure = private | public.
#include "scenarios/hq_bidding/hq_bidding.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/random/normal_distribution.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <tuple>

#include "sim/distributions.hpp"
#include "sim/error.hpp"

namespace marketsim {
namespace {

constexpr std::uint32_t kBenefitTag = 1;
constexpr std::uint32_t kEstimateTag = 2;
constexpr std::uint32_t kFundamentalsTag = 3;
constexpr std::uint32_t kDetectTag = 4;
constexpr std::uint32_t kChoiceTag = 5;
constexpr std::uint32_t kLearnTag = 6;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMixedAccuracy = 1e-3;  // a two-class table less accurate than this is not used

}  // namespace

ScenarioInfo describe_hq_bidding() {
  ScenarioInfo s;
  s.name = "hq_bidding";
  s.summary = "Cities bidding tax breaks for a headquarters, with a contingent pact, or a cap from above";
  s.story =
      "Cities with noisy, optimistic estimates of the benefit of hosting a firm's headquarters bid subsidies in "
      "a first-price scoring auction (the firm adds the subsidy to each site's fundamentals). A contingent pact "
      "binds its signers only if at least `threshold` cities sign: under `match` a subsidy must be matched by "
      "school investment, under `cap` it is capped, under `ban` forbidden; breaches are detected and fined. "
      "Compared with the free-for-all and with a cap mandated from above (seed 003, Seth Godin; Che 1993; "
      "Riley and Samuelson 1981; Capen, Clapp and Campbell 1971).";
  s.default_rounds = 1;
  s.default_record_every = 1;
  auto& p = *s.schema;
  p.integer("cities", 50, {2, 1e6}, "cities", "number of cities bidding");
  p.choice("benefit_dist", "lognormal", {"lognormal", "uniform"},
           "law of the true benefit B_i: lognormal, or uniform on mean -/+ sqrt(3) sd (uniform needs estimate_sd = 0)");
  p.real("benefit_mean", 1.0, {1e-6, 1e6}, "money", "mean true benefit of hosting E[B_i]");
  p.real("benefit_sd", 0.3, {1e-6, 1e6}, "money", "sd of the true benefit B_i");
  p.real("estimate_sd", 0.3, {0, 10}, "log", "sd of the estimate noise: b_i = B_i exp(bias + eps_i), eps_i ~ N(0, sd^2)");
  p.real("bias", 0.1, {-5, 5}, "log", "optimism of the estimates (boosterism), in logs");
  p.boolean("bias_aware", false, "cities correct their estimates for `bias` (otherwise they take them as unbiased)");
  p.real("fundamentals_mean", 1.0, {-1e6, 1e6}, "money", "mean of the firm's value a_i of a site before subsidy");
  p.real("fundamentals_sd", 0.2, {0, 1e6}, "money", "sd of the site fundamentals a_i ~ N(mean, sd^2)");
  p.real("reserve", 0.0, {-1e6, 1e6}, "money", "firm's outside option: it rejects a site with a_i + S_i below it");
  p.real("choice_noise", 0.0, {0, 1e6}, "money", "logit scale of the firm's choice (0: the highest a_i + S_i wins)");
  p.choice("strategy", "equilibrium", {"equilibrium", "naive", "learning"},
           "equilibrium: Bayes-Nash of the scoring auction in a_i + E[B_i|b_i] (two-class when some cities are "
           "bound and some free); naive: a fixed share "
           "of the estimated value; learning: Roth-Erev over bid fractions across contests");
  p.real("naive_share", 0.8, {0, 1}, "1", "naive: subsidy = share x estimated value / unit cost");
  p.integer("learn_levels", 11, {2, 1001}, "levels", "learning: bid fractions 0, 1/(K-1), ..., 1 of the estimated value");
  p.real("learn_recency", 0.05, {0, 1}, "1", "learning: Roth-Erev forgetting phi");
  p.real("learn_experimentation", 0.1, {0, 1}, "1", "learning: Roth-Erev experimentation eps (to neighbour levels)");
  p.choice("coordination", "none", {"none", "pact", "cap"},
           "none: free-for-all; pact: contingent pact (binds iff signers >= threshold); cap: cap_level mandated on "
           "every city from above");
  contest::add_pact_terms_params(p);
  p.choice("sign_rule", "expected", {"expected", "always", "never", "fixed"},
           "expected: the largest self-consistent set of signers; always / never: everyone / nobody signs; fixed: "
           "the first fixed_signers cities sign, whatever their draws");
  p.integer("fixed_signers", 25, {0, 1e7}, "cities", "sign_rule = fixed: how many cities sign (cities 1..k)");
  p.choice("sign_timing", "ex_ante", {"ex_ante", "interim"},
           "sign_rule = expected: ex_ante judges the pact by the mean gain over the cities' types (agreed before "
           "each knows where it stands); interim by each city's own estimate and fundamentals");
  p.integer("threshold", 50, {1, 1e7}, "cities", "the pact binds iff at least this many sign (\"all\" = cities)");
  p.symbol("threshold", "all", "cities", true);
  contest::add_enforcement_params(p);
  p.choice("disclosure", "private", {"private", "public"},
           "public: the winning bid is published after each contest (learners also learn from it)");
  p.check({"sign_rule", "fixed_signers", "cities"}, "sign_rule = fixed needs fixed_signers <= cities",
          [](const Params& q) { return q.choice("sign_rule") != "fixed" || q.integer("fixed_signers") <= q.integer("cities"); });
  p.check({"benefit_dist", "estimate_sd"}, "benefit_dist = uniform needs estimate_sd = 0",
          [](const Params& q) { return q.choice("benefit_dist") != "uniform" || q.real("estimate_sd") == 0; });
  p.check({"benefit_dist", "benefit_mean", "benefit_sd"}, "benefit_dist = uniform needs benefit_mean >= sqrt(3) benefit_sd",
          [](const Params& q) {
            return q.choice("benefit_dist") != "uniform" || q.real("benefit_mean") >= std::sqrt(3.0) * q.real("benefit_sd");
          });

  s.scalar("subsidy", "money", "subsidy paid to the firm per contest");
  s.scalar("winner_net_benefit", "money", "winner's realised B_w - cost (cost = (1 + lambda) S + (1 - school_value) school)");
  s.scalar("winners_curse_rate", "1", "share of contests whose winner's net benefit is negative");
  s.scalar("school_investment", "money", "school investment of the winner (compliant signer of a match pact)");
  s.scalar("welfare", "money", "total welfare: cities' payoffs + firm surplus");
  s.scalar("firm_surplus", "money", "firm: a_w + subsidy");
  s.scalar("cities_payoff", "money", "sum of the cities' payoffs (benefit - cost - penalties paid + received)");
  s.scalar("efficiency", "1", "share of contests won by the city with the highest a_i + B_i");
  s.scalar("pact_formed", "1", "share of contests in which the pact was active (signers >= threshold)");
  s.scalar("signers", "cities", "cities that signed, per contest");
  s.scalar("breaches", "cities", "bound cities that breached, per contest");
  s.scalar("penalties", "money", "penalties paid (= received) per contest");
  s.scalar("winner_benefit", "money", "true benefit B_w of the winner");
  s.scalar("winner_fundamentals", "money", "fundamentals a_w of the winning site");
  s.scalar("winner_cost", "money", "winner's cost (1 + lambda) S + (1 - school_value) school");
  s.scalar("multiple_equilibria", "1", "share of contests where the pact formed and nobody-signs was self-consistent too");
  s.scalar("signing_passes", "passes", "passes of iterated elimination to reach the self-consistent set");
  s.scalar("sale_rate", "1", "share of contests where some site met the firm's reserve");
  s.scalar("identity_error", "money", "max |welfare - (B_w + a_w - lambda S - (1 - school_value) school)| over contests");
  s.scalar("equilibrium_accuracy", "money", "equilibrium: max |t_K - t_2K| of the score tables used (NaN otherwise)");
  s.scalar("two_class_contests", "1", "share of contests bid with the two-class equilibrium (bound and free cities)");
  s.scalar("two_class_fallbacks", "1",
           "share of contests with bound and free cities whose two-class table failed (symmetric tables used)");
  s.series_output("subsidy_t", "money", "subsidy paid in contest t");
  s.series_output("welfare_t", "money", "welfare of contest t");
  s.series_output("signers_t", "cities", "signers in contest t");
  s.series_output("breaches_t", "cities", "breaches in contest t");
  s.series_output("bid_fraction_t", "1", "mean subsidy bid / estimated value in contest t");
  return s;
}

// ---- parameter-only tables ---------------------------------------------------------------

struct HqBidding::Tables {
  // Believed law of a city's value v (subsidy units before the unit cost).
  bool uniform = false;
  double mu = 0, sd = 1, lo = 0, hi = 1;
  double cdf(double v) const {
    if (uniform) return v <= lo ? 0 : v >= hi ? 1 : (v - lo) / (hi - lo);
    return v <= 0 ? 0 : standard_normal_cdf((std::log(v) - mu) / sd);
  }
  std::optional<contest::ScoringEquilibrium> eq_free, eq_bound;
  std::optional<contest::ScoreCdf> score_free, score_bound;
  double cost_free = 1, cost_bound = 1, limit = kInf;
  double fund_mean = 0, fund_sd = 0, reserve = 0, share = 0;
  std::int64_t cities = 0;
  bool equilibrium = false;
  // The believed law of the pseudo-type x = a + v / c: E_a[F_v(c (x - a))], a ~ N(fund_mean, fund_sd^2)
  // (Simpson on [-8, 8] sd), on [pseudo_low(c), pseudo_high(c)].
  double pseudo_type_cdf(double c, double x) const {
    if (fund_sd == 0) return cdf(c * (x - fund_mean));
    constexpr int K = 64;
    const double h = 16.0 / K;
    double sum = 0;
    for (int k = 0; k <= K; ++k) {
      const double z = -8 + k * h;
      const double w = (k == 0 || k == K) ? 1.0 : (k % 2 ? 4.0 : 2.0);
      sum += w * std::exp(-0.5 * z * z) * cdf(c * (x - fund_mean - fund_sd * z));
    }
    return sum * h / 3 / std::sqrt(2 * M_PI);
  }
  double pseudo_low(double c) const { return fund_mean - 8 * fund_sd + lo / c; }
  double pseudo_high(double c) const { return fund_mean + 8 * fund_sd + hi / c; }
  contest::BidderClass pseudo_type_class(double c, std::int64_t count) const {
    return {[this, c](double x) { return pseudo_type_cdf(c, x); }, pseudo_low(c), pseudo_high(c), count};
  }
  // The law of a rival's score a + S at unit cost c under `limit`, when the type bidding score s
  // is inverse(s) (equilibrium), or with S = naive_share v / c (inverse empty: naive, learning).
  contest::ScoreCdf score_law(double c, double limit, const std::function<double(double)>& inverse) const {
    auto exceed = [this, c, limit, &inverse](double s, double a) {
      if (a > s) return 1.0;
      if (a + limit <= s) return 0.0;
      double v_star;
      if (inverse) {
        v_star = c * (inverse(s) - a);
      } else {
        if (share == 0) return 0.0;
        v_star = c * (s - a) / share;
      }
      return 1 - cdf(v_star);
    };
    return contest::ScoreCdf(exceed, fund_mean, fund_sd, fund_mean - 8 * fund_sd - 1e-9,
                             fund_mean + 8 * fund_sd + hi / cost_free + 1e-9, 512);
  }
};

// The two-class equilibrium of a contest with m bound cities (class 0, cost c_b) and n - m
// free ones (class 1, c_f), 1 <= m <= n - 1, and the rivals' score laws it implies; empty if
// the solver failed or is not accurate to kMixedAccuracy (the symmetric tables are used then).
struct HqBidding::Mixed {
  std::optional<contest::TwoClassScoringEquilibrium> eq;
  std::optional<contest::ScoreCdf> score_bound, score_free;
};

namespace {

std::shared_ptr<const HqBidding::Tables> build_tables(const Params& p) {
  auto t = std::make_shared<HqBidding::Tables>();
  const double m = p.real("benefit_mean"), sdb = p.real("benefit_sd");
  const double e = p.real("estimate_sd");
  const auto strategy = p.choice("strategy");
  if (p.choice("benefit_dist") == "uniform") {
    t->uniform = true;
    t->lo = m - std::sqrt(3.0) * sdb;
    t->hi = m + std::sqrt(3.0) * sdb;
  } else {
    const double s2 = std::log1p(sdb * sdb / (m * m));
    const double mu = std::log(m) - s2 / 2;
    if (strategy == "equilibrium") {  // v = E[B|b]: ln v ~ N(mu + post/2, k s2) as the cities believe
      const double k = s2 / (s2 + e * e), post = s2 * e * e / (s2 + e * e);
      t->mu = mu + post / 2;
      t->sd = std::sqrt(k * s2);
    } else {  // v = the estimate taken at face value: ln v ~ N(mu, s2 + e^2)
      t->mu = mu;
      t->sd = std::sqrt(s2 + e * e);
    }
    t->lo = std::exp(t->mu - 8 * t->sd);
    t->hi = std::exp(t->mu + 8 * t->sd);
  }
  contest::PactTerms terms = contest::pact_terms(p);
  if (p.choice("coordination") == "cap") terms.rule = contest::PactRule::cap;
  t->cost_free = contest::unit_cost(terms, false);
  t->cost_bound = contest::unit_cost(terms, true);
  t->limit = contest::subsidy_limit(terms);
  t->fund_mean = p.real("fundamentals_mean");
  t->fund_sd = p.real("fundamentals_sd");
  t->cities = p.integer("cities");
  t->reserve = p.real("reserve");
  t->share = p.real("naive_share");
  t->equilibrium = strategy == "equilibrium";
  auto eq_table = [&](double c) {
    return contest::ScoringEquilibrium([tab = t.get(), c](double x) { return tab->pseudo_type_cdf(c, x); },
                                       t->pseudo_low(c), t->pseudo_high(c), t->cities, t->reserve, 1024);
  };
  const bool bound_used = p.choice("coordination") != "none";
  if (t->equilibrium) {
    t->eq_free.emplace(eq_table(t->cost_free));
    if (bound_used) t->eq_bound.emplace(eq_table(t->cost_bound));
  }
  // Score laws (for signing and breach expectations): learners evaluate with naive_share.
  auto inverse = [](const std::optional<contest::ScoringEquilibrium>& eq) -> std::function<double(double)> {
    if (!eq) return {};
    return [table = &*eq](double s) { return table->inverse(s); };
  };
  t->score_free.emplace(t->score_law(t->cost_free, kInf, inverse(t->eq_free)));
  if (bound_used) t->score_bound.emplace(t->score_law(t->cost_bound, t->limit, inverse(t->eq_bound)));
  return t;
}

// The tables depend on the parameters only: keep the last few per thread (a sweep's
// replications share them).
std::shared_ptr<const HqBidding::Tables> cached_tables(const Params& p) {
  thread_local std::vector<std::pair<Params, std::shared_ptr<const HqBidding::Tables>>> cache;
  for (auto& [key, tab] : cache)
    if (key == p) return tab;
  auto tab = build_tables(p);
  if (cache.size() >= 8) cache.erase(cache.begin());
  cache.emplace_back(p, tab);
  return tab;
}

std::shared_ptr<const HqBidding::Mixed> build_mixed(const HqBidding::Tables& t, std::int64_t m) {
  // Both classes start at the lower of the two lowest types (the cdfs are 0 or negligible
  // there), so the bottom score r' is common.
  auto bound = t.pseudo_type_class(t.cost_bound, m), free = t.pseudo_type_class(t.cost_free, t.cities - m);
  bound.low = free.low = std::min(bound.low, free.low);
  auto mixed = std::make_shared<HqBidding::Mixed>();
  try {
    mixed->eq.emplace(bound, free, t.reserve, 256);
  } catch (const Error&) {
    return mixed;  // no two-class solution: the contest falls back to the symmetric tables
  }
  if (!(mixed->eq->accuracy() <= kMixedAccuracy)) {
    mixed->eq.reset();
    return mixed;
  }
  const auto& eq = *mixed->eq;
  auto law = [&](int k, double c, double limit) {
    return t.score_law(c, limit, [&eq, k](double s) { return eq.inverse(k, s); });
  };
  mixed->score_bound.emplace(law(0, t.cost_bound, t.limit));
  mixed->score_free.emplace(law(1, t.cost_free, kInf));
  return mixed;
}

// The two-class tables depend only on what build_mixed reads (the value law, the unit costs
// and limit, the fundamentals, the reserve, the number of cities) and m, not on the pact's
// threshold or signing rule: kept per thread under that key (a threshold sweep shares them).
std::shared_ptr<const HqBidding::Mixed> cached_mixed(const HqBidding::Tables& t, std::int64_t m) {
  using Key = std::tuple<bool, double, double, double, double, double, double, double, double, double, double,
                         double, std::int64_t, std::int64_t>;
  const Key key{t.uniform, t.mu,      t.sd,       t.lo,      t.hi,     t.cost_free, t.cost_bound,
                t.limit,   t.fund_mean, t.fund_sd, t.reserve, t.share, t.cities,    m};
  thread_local std::vector<std::pair<Key, std::shared_ptr<const HqBidding::Mixed>>> cache;
  for (auto& [k, mixed] : cache)
    if (k == key) return mixed;
  auto mixed = build_mixed(t, m);
  if (cache.size() >= 256) cache.erase(cache.begin());
  cache.emplace_back(key, mixed);
  return mixed;
}

}  // namespace

// ---- the model ---------------------------------------------------------------------------

HqBidding::HqBidding(Run& run) : seed_(run.seed()) {
  const auto& p = run.params();
  n_ = static_cast<std::size_t>(p.integer("cities"));
  const auto& st = p.choice("strategy");
  strategy_ = st == "naive" ? Strategy::naive : st == "learning" ? Strategy::learning : Strategy::equilibrium;
  const auto& co = p.choice("coordination");
  coordination_ = co == "pact" ? Coordination::pact : co == "cap" ? Coordination::cap : Coordination::none;
  sign_rule_ = p.choice("sign_rule");
  fixed_signers_ = static_cast<std::size_t>(p.integer("fixed_signers"));
  ex_ante_ = p.choice("sign_timing") == "ex_ante";
  threshold_ = p.integer("threshold");
  public_ = p.choice("disclosure") == "public";
  naive_share_ = p.real("naive_share");
  {
    const double m = p.real("benefit_mean"), sdb = p.real("benefit_sd");
    const double s2 = std::log1p(sdb * sdb / (m * m)), e2 = std::pow(p.real("estimate_sd"), 2);
    ln_mu_ = std::log(m) - s2 / 2;
    ln_sd_ = std::sqrt(s2);
    benefit_lo_ = m - std::sqrt(3.0) * sdb;
    benefit_hi_ = m + std::sqrt(3.0) * sdb;
    shrink_ = s2 / (s2 + e2);
    post_var_ = s2 * e2 / (s2 + e2);
    bias_ = p.real("bias");
    assumed_bias_ = p.boolean("bias_aware") ? bias_ : 0.0;
    estimate_sd_ = p.real("estimate_sd");
    fund_mean_ = p.real("fundamentals_mean");
    fund_sd_ = p.real("fundamentals_sd");
  }
  terms_ = contest::pact_terms(p);
  if (coordination_ == Coordination::cap) terms_.rule = contest::PactRule::cap;  // the cap from above
  firm_ = {Pricing::first_price, p.real("reserve"), p.real("choice_noise")};
  tables_ = cached_tables(p);
  mixed_.resize(n_ + 1);
  if (strategy_ == Strategy::learning) {
    const auto K = static_cast<std::size_t>(p.integer("learn_levels"));
    learning::RothErevParams lp;
    lp.recency = p.real("learn_recency");
    lp.experimentation = p.real("learn_experimentation");
    lp.floor = 1e-3;
    learner_.emplace(n_, K, lp);
    for (std::size_t k = 0; k < K; ++k) levels_.push_back(static_cast<double>(k) / static_cast<double>(K - 1));
  }
  for (auto* v : {&benefit_, &fundamentals_, &value_, &bid_, &payoff_, &fraction_}) v->assign(n_, 0.0);
  bound_.assign(n_, 0);
  breach_.assign(n_, 0);
  action_.assign(n_, 0);
}

// The tables of a contest with m bound cities: the two-class equilibrium when equilibrium
// bidders face 1 <= m <= n - 1 bound cities whose subsidy costs more, else the symmetric ones.
HqBidding::Laws HqBidding::laws(std::int64_t m) const {
  const auto& t = *tables_;
  const auto n = static_cast<std::int64_t>(n_);
  if (t.equilibrium && t.eq_bound && t.cost_bound != t.cost_free && m >= 1 && m <= n - 1) {
    auto& mixed = mixed_[static_cast<std::size_t>(m)];
    if (!mixed) {
      mixed = cached_mixed(t, m);
      if (mixed->eq) mixed_accuracy_ = std::max(mixed_accuracy_, mixed->eq->accuracy());
    }
    if (mixed->eq) return {nullptr, nullptr, &*mixed->eq, &*mixed->score_bound, &*mixed->score_free, false};
    return {&*t.eq_free, &*t.eq_bound, nullptr, &*t.score_bound, &*t.score_free, true};
  }
  return {t.eq_free ? &*t.eq_free : nullptr, t.eq_bound ? &*t.eq_bound : nullptr, nullptr,
          t.score_bound ? &*t.score_bound : &*t.score_free, &*t.score_free, false};
}

const contest::TwoClassScoringEquilibrium* HqBidding::mixed_equilibrium(std::int64_t m) const { return laws(m).mixed; }

// City i's subsidy bid at unit cost `cost`, capped at `limit` (never negative), in a contest
// with the given tables.
double HqBidding::bid(std::size_t i, double cost, double limit, const Laws& laws) const {
  double s = 0;
  const double w = value_[i] / cost;
  switch (strategy_) {
    case Strategy::naive: s = naive_share_ * w; break;
    case Strategy::learning: s = fraction_[i] * w; break;
    case Strategy::equilibrium: {
      const bool free = cost == tables_->cost_free;
      const double x = fundamentals_[i] + w;
      const double t = laws.mixed ? laws.mixed->score(free ? 1 : 0, x) : (free ? *laws.eq_free : *laws.eq_bound).score(x);
      s = t == kNoBid ? 0.0 : t - fundamentals_[i];
      break;
    }
  }
  return std::clamp(s, 0.0, limit);
}

// The city's expected payoff P(win) (v - cost S) against the given rivals (argmax choice).
double HqBidding::expected_payoff(std::size_t i, double subsidy, double cost, std::int64_t bound_rivals,
                                  std::int64_t free_rivals, const Laws& laws) const {
  const double t = fundamentals_[i] + subsidy;
  if (t < firm_.reserve) return 0;
  const double win = contest::ScoreCdf::win_probability(t, *laws.score_bound, bound_rivals, *laws.score_free, free_rivals);
  return win * (value_[i] - cost * subsidy);
}

void HqBidding::step(std::int64_t round) {
  const auto r = static_cast<std::uint32_t>(round);
  const auto& p = *tables_;
  // 1. Draws: benefit, estimate, fundamentals; each city's value as it perceives it.
  const bool uniform = p.uniform;
  for (std::size_t i = 0; i < n_; ++i) {
    const auto ci = static_cast<std::uint32_t>(i);
    Stream sb(seed_, kBenefitTag, ci, r), se(seed_, kEstimateTag, ci, r), sf(seed_, kFundamentalsTag, ci, r);
    benefit_[i] = uniform ? benefit_lo_ + (benefit_hi_ - benefit_lo_) * sb.uniform01()
                          : std::exp(ln_mu_ + ln_sd_ * standard_normal(sb));
    const double log_estimate = std::log(benefit_[i]) + bias_ + estimate_sd_ * standard_normal(se);
    fundamentals_[i] = fund_mean_ + fund_sd_ * standard_normal(sf);
    if (strategy_ == Strategy::equilibrium && !uniform) {  // posterior mean under the cities' beliefs
      value_[i] = std::exp(ln_mu_ + shrink_ * (log_estimate - assumed_bias_ - ln_mu_) + post_var_ / 2);
    } else {
      value_[i] = std::exp(log_estimate - assumed_bias_);
    }
  }
  if (learner_) {
    learner_->choose_all(seed_, kLearnTag, r, action_);
    for (std::size_t i = 0; i < n_; ++i) fraction_[i] = levels_[action_[i]];
  }
  // 2. Signing and activation.
  const double cf = p.cost_free, cb = p.cost_bound, lim = p.limit;
  const auto n = static_cast<std::int64_t>(n_);
  std::fill(bound_.begin(), bound_.end(), std::uint8_t{0});
  std::size_t passes = 0, signers = 0;
  bool active = false;
  // A bound city's best option given m bound cities (itself included): comply or breach.
  auto signer_payoff = [&](std::size_t i, std::int64_t m) {
    const auto l = laws(m);
    const double comply = expected_payoff(i, bid(i, cb, lim, l), cb, m - 1, n - m, l);
    const double breach =
        expected_payoff(i, bid(i, cf, kInf, l), cf, m - 1, n - m, l) - terms_.detect_prob * terms_.penalty;
    return std::max(comply, breach);
  };
  auto none_payoff = [&](std::size_t i) {
    const auto l = laws(0);
    return expected_payoff(i, bid(i, cf, kInf, l), cf, 0, n - 1, l);
  };
  if (coordination_ == Coordination::cap) {
    std::fill(bound_.begin(), bound_.end(), std::uint8_t{1});
    signers = n_;
    active = true;
  } else if (coordination_ == Coordination::pact) {
    if (sign_rule_ == "always") {
      std::fill(bound_.begin(), bound_.end(), std::uint8_t{1});
      signers = n_;
    } else if (sign_rule_ == "expected") {
      if (threshold_ <= n) {
        // City i's gain from signing when m cities (itself included) sign.
        auto gain = [&](std::size_t i, std::int64_t m) {
          // Withdrawing leaves m - 1 signers: an active pact it free-rides on, or none.
          const auto l = laws(m - 1);
          const double out =
              m - 1 >= threshold_ ? expected_payoff(i, bid(i, cf, kInf, l), cf, m - 1, n - m, l) : none_payoff(i);
          return signer_payoff(i, m) - out;
        };
        std::int64_t cached_m = -1;
        bool cached = false;
        passes = contest::largest_self_consistent_set(
            n_,
            [&](std::size_t i, std::size_t m_) {
              const auto m = static_cast<std::int64_t>(m_);
              if (m < threshold_) return false;  // inactive: signing changes nothing
              if (!ex_ante_) return gain(i, m) > 0;
              if (m != cached_m) {  // the mean gain over the cities' types, once per pass
                double sum = 0;
                for (std::size_t j = 0; j < n_; ++j) sum += gain(j, m);
                cached = sum > 0;
                cached_m = m;
              }
              return cached;
            },
            bound_);
      } else {
        passes = 0;  // the pact can never bind: nobody gains from signing, nothing to compute
      }
      for (auto b : bound_) signers += b;
    } else if (sign_rule_ == "fixed") {
      std::fill_n(bound_.begin(), fixed_signers_, std::uint8_t{1});
      signers = fixed_signers_;
    }
    active = static_cast<std::int64_t>(signers) >= threshold_;
    if (!active) std::fill(bound_.begin(), bound_.end(), std::uint8_t{0});
  }
  // 3. Bids and 4. breaches: a bound city breaches when that pays in expectation.
  const auto m = active ? static_cast<std::int64_t>(signers) : 0;
  const auto contest_laws = laws(m);
  sum_two_class_ += contest_laws.mixed != nullptr;
  sum_fallback_ += contest_laws.fallback;
  double fraction_sum = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    breach_[i] = 0;
    if (!bound_[i]) {
      bid_[i] = bid(i, cf, kInf, contest_laws);
    } else {
      const double comply = bid(i, cb, lim, contest_laws), free = bid(i, cf, kInf, contest_laws);
      const double gain = expected_payoff(i, free, cf, m - 1, n - m, contest_laws) -
                          terms_.detect_prob * terms_.penalty - expected_payoff(i, comply, cb, m - 1, n - m, contest_laws);
      const bool breaks = gain > 0 && free > comply;
      breach_[i] = breaks;
      bid_[i] = breaks ? free : comply;
    }
    fraction_sum += value_[i] > 0 ? bid_[i] / value_[i] : 0.0;
  }
  // 5-7. Detection, penalties, the firm's choice, payoffs.
  Stream detection(seed_, kDetectTag, 0, r), choice(seed_, kChoiceTag, 0, r);
  contest::ContestInput in{fundamentals_, benefit_, bid_, bound_, breach_};
  last_ = contest::settle_contest(in, terms_, firm_, detection, choice, payoff_);
  if (learner_) {
    // Reward: the realised payoff. Under public disclosure a loser also reinforces, with its
    // estimated payoff, the lowest level that would have beaten the published winning score.
    learner_->update_all(action_, payoff_);
    if (public_ && last_.sold()) {
      const double top = last_.winner_fundamentals + last_.subsidy;
      for (std::size_t i = 0; i < n_; ++i) {
        if (i == last_.winner || value_[i] <= 0) continue;
        const double w = value_[i] / (bound_[i] ? cb : cf);
        const double need = (top - fundamentals_[i]) / w;  // fraction needed to tie
        const auto k = std::lower_bound(levels_.begin(), levels_.end(), need) - levels_.begin();
        if (k >= static_cast<std::ptrdiff_t>(levels_.size()) || (bound_[i] && levels_[k] * w > lim)) continue;
        const double gain = value_[i] - (bound_[i] ? cb : cf) * levels_[k] * w;
        if (gain > 0) learner_->update(i, static_cast<std::uint32_t>(k), gain);
      }
    }
  }
  // Outcomes.
  last_signers_ = signers;
  last_active_ = active;
  last_fraction_ = fraction_sum / static_cast<double>(n_);
  ++contests_;
  const double net = last_.winner_benefit - last_.winner_cost;
  sum_subsidy_ += last_.subsidy;
  sum_sold_ += last_.sold();
  if (last_.sold()) {
    sum_net_ += net;
    sum_curse_ += net < 0;
    double best = -kInf;
    for (std::size_t i = 0; i < n_; ++i) best = std::max(best, fundamentals_[i] + benefit_[i]);
    sum_efficient_ += fundamentals_[last_.winner] + benefit_[last_.winner] == best;
  }
  sum_school_ += last_.school;
  sum_welfare_ += last_.welfare;
  sum_firm_ += last_.firm_surplus;
  sum_cities_ += last_.cities_payoff;
  sum_formed_ += active;
  sum_signers_ += static_cast<double>(signers);
  sum_breaches_ += static_cast<double>(last_.breaches);
  sum_penalties_ += last_.penalties;
  sum_benefit_ += last_.winner_benefit;
  sum_fund_ += last_.winner_fundamentals;
  sum_cost_ += last_.winner_cost;
  sum_multiple_ += active && threshold_ >= 2 && coordination_ == Coordination::pact && sign_rule_ == "expected";
  sum_passes_ += static_cast<double>(passes);
  const double identity = last_.winner_benefit + last_.winner_fundamentals -
                          terms_.public_funds_cost * last_.subsidy - (1 - terms_.school_value) * last_.school;
  sum_identity_ = std::max(sum_identity_, std::abs(last_.welfare - identity));
}

void HqBidding::record(Run& run) {
  const bool start = contests_ == 0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  run.record("subsidy_t", start ? nan : last_.subsidy);
  run.record("welfare_t", start ? nan : last_.welfare);
  run.record("signers_t", start ? nan : static_cast<double>(last_signers_));
  run.record("breaches_t", start ? nan : static_cast<double>(last_.breaches));
  run.record("bid_fraction_t", start ? nan : last_fraction_);
}

void HqBidding::finish(Run& run) {
  const double c = static_cast<double>(contests_);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto mean = [&](double s) { return contests_ ? s / c : nan; };
  auto per_sale = [&](double s) { return sum_sold_ > 0 ? s / sum_sold_ : nan; };
  run.set("subsidy", mean(sum_subsidy_));
  run.set("winner_net_benefit", per_sale(sum_net_));
  run.set("winners_curse_rate", per_sale(sum_curse_));
  run.set("school_investment", mean(sum_school_));
  run.set("welfare", mean(sum_welfare_));
  run.set("firm_surplus", mean(sum_firm_));
  run.set("cities_payoff", mean(sum_cities_));
  run.set("efficiency", per_sale(sum_efficient_));
  run.set("pact_formed", mean(sum_formed_));
  run.set("signers", mean(sum_signers_));
  run.set("breaches", mean(sum_breaches_));
  run.set("penalties", mean(sum_penalties_));
  run.set("winner_benefit", mean(sum_benefit_));
  run.set("winner_fundamentals", mean(sum_fund_));
  run.set("winner_cost", mean(sum_cost_));
  run.set("multiple_equilibria", mean(sum_multiple_));
  run.set("signing_passes", mean(sum_passes_));
  run.set("sale_rate", mean(sum_sold_));
  run.set("identity_error", contests_ ? sum_identity_ : nan);
  run.set("two_class_contests", mean(sum_two_class_));
  run.set("two_class_fallbacks", mean(sum_fallback_));
  run.set("equilibrium_accuracy",
          tables_->eq_free ? std::max({tables_->eq_free->accuracy(),
                                       tables_->eq_bound ? tables_->eq_bound->accuracy() : 0.0, mixed_accuracy_})
                           : nan);
}

MARKETSIM_SCENARIO(describe_hq_bidding, HqBidding);

}  // namespace marketsim
