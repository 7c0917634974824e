// The location contest (contest.hpp): equilibrium tables, score laws, signing, settlement.
#include "scenarios/hq_bidding/contest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/error.hpp"

namespace marketsim::contest {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// E[f(a)] for a ~ N(mean, sd): composite Simpson over z in [-8, 8] (65 nodes); sd = 0: f(mean).
template <class F>
double expect_normal(double mean, double sd, F&& f) {
  if (sd == 0) return f(mean);
  constexpr int kNodes = 64;  // intervals (even)
  constexpr double kSpan = 8.0;
  const double h = 2 * kSpan / kNodes;
  double sum = 0;
  for (int k = 0; k <= kNodes; ++k) {
    const double z = -kSpan + k * h;
    const double w = (k == 0 || k == kNodes) ? 1.0 : (k % 2 ? 4.0 : 2.0);
    sum += w * std::exp(-0.5 * z * z) * f(mean + sd * z);
  }
  return sum * h / 3 / std::sqrt(2 * M_PI);
}

double interpolate(const std::vector<double>& table, double low, double h, double x) {
  const double u = (x - low) / h;
  if (!(u > 0)) return table.front();
  const auto last = table.size() - 1;
  if (u >= static_cast<double>(last)) return table.back();
  const auto j = static_cast<std::size_t>(u);
  const double f = u - static_cast<double>(j);
  return table[j] + f * (table[j + 1] - table[j]);
}

}  // namespace

PactRule parse_pact_rule(std::string_view name) {
  if (name == "match") return PactRule::match;
  if (name == "cap") return PactRule::cap;
  if (name == "ban") return PactRule::ban;
  throw Error(fmt::format("pact_rule: '{}' is not one of match, cap, ban", name));
}

void add_pact_terms_params(Schema& p) {
  p.choice("pact_rule", "match", {"match", "cap", "ban"},
           "pact terms: match (school investment match x S), cap (S <= cap_level), ban (S = 0)");
  p.real("match", 5.0, {0, 1e3}, "1", "school investment per unit of subsidy under a match pact");
  p.real("school_value", 0.5, {0, 1}, "1", "value to the city of one unit of school investment");
  p.real("cap_level", 0.1, {0, 1e6}, "money", "highest subsidy under a cap (pact_rule = cap, or a cap from above)");
}

void add_enforcement_params(Schema& p) {
  p.real("detect_prob", 1.0, {0, 1}, "1", "probability that a breach is detected");
  p.real("penalty", 1.0, {0, 1e9}, "money", "paid by a detected breacher, shared among the other bound cities");
  p.real("public_funds_cost", 0.0, {0, 10}, "1", "marginal cost of public funds lambda: a subsidy S costs (1 + lambda) S");
}

PactTerms pact_terms(const Params& p) {
  PactTerms t;
  t.rule = parse_pact_rule(p.choice("pact_rule"));
  t.match = p.real("match");
  t.school_value = p.real("school_value");
  t.cap_level = p.real("cap_level");
  t.detect_prob = p.real("detect_prob");
  t.penalty = p.real("penalty");
  t.public_funds_cost = p.real("public_funds_cost");
  return t;
}

double unit_cost(const PactTerms& t, bool bound) {
  double c = 1 + t.public_funds_cost;
  if (bound && t.rule == PactRule::match) c += t.match * (1 - t.school_value);
  return c;
}

double subsidy_limit(const PactTerms& t) {
  switch (t.rule) {
    case PactRule::match: return kInf;
    case PactRule::cap: return t.cap_level;
    case PactRule::ban: return 0;
  }
  return kInf;
}

// ---- ScoringEquilibrium ----------------------------------------------------------------

std::vector<double> ScoringEquilibrium::tabulate(const std::vector<double>& F, double low, double h, std::int64_t n,
                                                 double reserve) {
  const std::size_t K = F.size();
  std::vector<double> t(K, kNoBid);
  const double floor = std::max(reserve, low);  // r'
  const double m = static_cast<double>(n - 1);
  double J = 0;  // int_{r'}^{x_j} (F(y)/F(x_j))^{n-1} dy
  bool started = false;
  for (std::size_t j = 0; j < K; ++j) {
    const double x = low + h * static_cast<double>(j);
    if (x < floor) continue;
    if (!started) {
      J = x - floor;  // the ratio is ~1 over this sliver
      started = true;
    } else if (n == 1) {
      J += h;
    } else {
      const double a = F[j - 1], b = F[j];
      const double rho = b > 0 ? std::exp(m * (std::log(a) - std::log(b))) : 1.0;
      J = J * rho + 0.5 * h * (rho + 1);
    }
    t[j] = x - J;
  }
  return t;
}

ScoringEquilibrium::ScoringEquilibrium(std::function<double(double)> cdf, double low, double high,
                                       std::int64_t bidders, double reserve, std::size_t grid)
    : low_(low), high_(high), reserve_(reserve) {
  if (!(std::isfinite(low) && std::isfinite(high) && low < high))
    throw Error(fmt::format("ScoringEquilibrium: need finite low < high, got [{}, {}]", low, high));
  if (bidders < 1) throw Error(fmt::format("ScoringEquilibrium: bidders must be >= 1, got {}", bidders));
  if (!std::isfinite(reserve)) throw Error("ScoringEquilibrium: reserve must be finite");
  if (grid < 16) throw Error(fmt::format("ScoringEquilibrium: grid must be >= 16, got {}", grid));
  // The fine grid (2K intervals) gives the accuracy check; the coarse one is every other point.
  const std::size_t fine = 2 * grid + 1;
  const double hf = (high - low) / static_cast<double>(fine - 1);
  std::vector<double> F(fine);
  for (std::size_t j = 0; j < fine; ++j) {
    F[j] = std::clamp(cdf(low + hf * static_cast<double>(j)), 0.0, 1.0);
    if (j && F[j] < F[j - 1]) F[j] = F[j - 1];  // a cdf never falls (quadrature rounding)
  }
  std::vector<double> Fc(grid + 1);
  for (std::size_t j = 0; j <= grid; ++j) Fc[j] = F[2 * j];
  h_ = 2 * hf;
  const auto tf = tabulate(F, low, hf, bidders, reserve);
  t_ = tabulate(Fc, low, h_, bidders, reserve);
  // Over the types with a real chance to win (F^{n-1} >= 1e-9): below, the bid never matters.
  for (std::size_t j = 0; j <= grid; ++j)
    if (t_[j] != kNoBid && tf[2 * j] != kNoBid && std::pow(Fc[j], static_cast<double>(bidders - 1)) >= 1e-9)
      accuracy_ = std::max(accuracy_, std::abs(t_[j] - tf[2 * j]));
  t_ = tf;  // keep the finer table; its error is below the reported difference
  h_ = hf;
}

double ScoringEquilibrium::score(double x) const {
  if (x < std::max(reserve_, low_)) return kNoBid;
  const double u = (x - low_) / h_;
  const auto last = t_.size() - 1;
  if (u >= static_cast<double>(last)) return t_.back() + (x - high_) * 0.0;  // flat above the grid
  const auto j = static_cast<std::size_t>(u);
  const double lo = t_[j], hi = t_[j + 1];
  if (lo == kNoBid) return hi;  // the sliver just above the reserve
  return lo + (u - static_cast<double>(j)) * (hi - lo);
}

double ScoringEquilibrium::inverse(double t) const {
  // First grid point whose score reaches t, then linear inside the cell.
  auto it = std::lower_bound(t_.begin(), t_.end(), t);  // kNoBid (-inf) entries come first
  if (it == t_.begin()) return low_;
  if (it == t_.end()) return high_;
  const auto j = static_cast<std::size_t>(it - t_.begin());
  const double lo = t_[j - 1], hi = t_[j];
  const double x1 = low_ + h_ * static_cast<double>(j);
  if (lo == kNoBid || hi == lo) return x1;
  return x1 - h_ * (hi - t) / (hi - lo);
}

// ---- ScoreCdf ---------------------------------------------------------------------------

ScoreCdf::ScoreCdf(std::function<double(double, double)> exceed, double fund_mean, double fund_sd, double low,
                   double high, std::size_t grid)
    : low_(low), high_(high) {
  if (!(std::isfinite(low) && std::isfinite(high) && low < high) || grid < 2)
    throw Error(fmt::format("ScoreCdf: need finite low < high and grid >= 2, got [{}, {}], {}", low, high, grid));
  if (!(fund_sd >= 0) || !std::isfinite(fund_mean)) throw Error("ScoreCdf: fundamentals need sd >= 0, finite mean");
  h_ = (high - low) / static_cast<double>(grid - 1);
  H_.resize(grid);
  for (std::size_t j = 0; j < grid; ++j) {
    const double t = low + h_ * static_cast<double>(j);
    H_[j] = std::clamp(1 - expect_normal(fund_mean, fund_sd, [&](double a) { return exceed(t, a); }), 0.0, 1.0);
    if (j && H_[j] < H_[j - 1]) H_[j] = H_[j - 1];
  }
}

double ScoreCdf::operator()(double t) const {
  if (t < low_) return 0;
  if (t >= high_) return 1;
  return interpolate(H_, low_, h_, t);
}

double ScoreCdf::win_probability(double t, const ScoreCdf& a, std::int64_t m, const ScoreCdf& b, std::int64_t k) {
  if (m < 0 || k < 0) throw Error("ScoreCdf::win_probability: rival counts must be >= 0");
  if (t == kNoBid) return 0;
  return std::pow(a(t), static_cast<double>(m)) * std::pow(b(t), static_cast<double>(k));
}

// ---- signing ----------------------------------------------------------------------------

std::size_t largest_self_consistent_set(std::size_t cities, const std::function<bool(std::size_t, std::size_t)>& gains,
                                        std::span<std::uint8_t> signers) {
  if (signers.size() != cities)
    throw Error(fmt::format("largest_self_consistent_set: signers has {} entries for {} cities", signers.size(), cities));
  std::fill(signers.begin(), signers.end(), std::uint8_t{1});
  std::size_t m = cities, passes = 0;
  while (m > 0) {
    ++passes;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < cities; ++i) {
      if (!signers[i]) continue;
      signers[i] = gains(i, m) ? 1 : 0;  // judged against the set at the start of the pass
      kept += signers[i];
    }
    if (kept == m) break;
    m = kept;
  }
  return passes;
}

// ---- settlement -------------------------------------------------------------------------

ContestOutcome settle_contest(const ContestInput& in, const PactTerms& terms, const AuctionRules& firm,
                              Stream& detection, Stream& choice, std::span<double> payoff) {
  const std::size_t n = in.bid.size();
  if (n == 0) throw Error("settle_contest: no cities");
  for (auto size : {in.fundamentals.size(), in.benefit.size(), in.bound.size(), in.breach.size(), payoff.size()})
    if (size != n) throw Error(fmt::format("settle_contest: arrays must all have {} entries (one per city), got {}", n, size));
  if (!(terms.detect_prob >= 0 && terms.detect_prob <= 1) || !(terms.penalty >= 0) || !std::isfinite(terms.penalty))
    throw Error("settle_contest: detect_prob must be in [0, 1] and penalty finite and >= 0");
  const double limit = subsidy_limit(terms);
  std::size_t bound = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(in.bid[i] >= 0) || !std::isfinite(in.bid[i]))
      throw Error(fmt::format("settle_contest: city {} bids {}; a subsidy must be finite and >= 0", i, in.bid[i]));
    if (in.breach[i] && !in.bound[i]) throw Error(fmt::format("settle_contest: city {} breaches but is not bound", i));
    if (in.bound[i] && !in.breach[i] && in.bid[i] > limit)
      throw Error(fmt::format("settle_contest: compliant city {} bids {} above the pact's limit {}", i, in.bid[i], limit));
    bound += in.bound[i];
  }
  ContestOutcome out;
  // Breaches, detection, penalties: a detected breacher pays `penalty`, split among the other
  // bound cities (all other cities if it is the only bound one).
  std::fill(payoff.begin(), payoff.end(), 0.0);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!in.breach[i]) continue;
    ++out.breaches;
    if (!(detection.uniform01() < terms.detect_prob) || n < 2) continue;
    ++out.detected;
    payoff[i] -= terms.penalty;
    total += terms.penalty;
  }
  if (total > 0) {
    const bool to_bound = bound >= 2;
    const double share = 1.0 / static_cast<double>(to_bound ? bound - 1 : n - 1);
    for (std::size_t i = 0; i < n; ++i) {
      if (to_bound && !in.bound[i]) continue;
      const double own = payoff[i] < 0 ? terms.penalty : 0.0;  // its own penalty is not shared back to it
      payoff[i] += (total - own) * share;
    }
  }
  out.penalties = total;

  const AuctionOutcome sale = scoring_auction(in.fundamentals, in.bid, firm, choice);
  if (sale.sold()) {
    const std::size_t w = sale.winner;
    out.winner = w;
    out.subsidy = in.bid[w];
    const bool complies = in.bound[w] && !in.breach[w];
    out.school = complies && terms.rule == PactRule::match ? terms.match * out.subsidy : 0.0;
    out.winner_cost = (1 + terms.public_funds_cost) * out.subsidy + (1 - terms.school_value) * out.school;
    out.winner_benefit = in.benefit[w];
    out.winner_fundamentals = in.fundamentals[w];
    out.firm_surplus = out.winner_fundamentals + out.subsidy;
    payoff[w] += out.winner_benefit - out.winner_cost;
  }
  for (std::size_t i = 0; i < n; ++i) out.cities_payoff += payoff[i];
  out.welfare = out.cities_payoff + out.firm_surplus;
  return out;
}

}  // namespace marketsim::contest
