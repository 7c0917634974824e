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

// ---- TwoClassScoringEquilibrium ---------------------------------------------------------

double TwoClassScoringEquilibrium::Law::cdf(double x) const { return interpolate(F, low, h, x); }

double TwoClassScoringEquilibrium::Law::density(double x) const {
  // The slope of the tabulated cdf on the cell below x (at the top: the last rising cell).
  const double u = (x - low) / h;
  const auto last = F.size() - 1;
  auto j = static_cast<std::size_t>(std::clamp(std::ceil(u), 1.0, static_cast<double>(last)));
  while (j > 1 && F[j] == F[j - 1] && F[j] >= 1) --j;
  return (F[j] - F[j - 1]) / h;
}

double TwoClassScoringEquilibrium::Law::quantile(double u) const {
  const auto it = std::lower_bound(F.begin(), F.end(), u);
  if (it == F.begin()) return low;
  if (it == F.end()) return high;
  const auto j = static_cast<std::size_t>(it - F.begin());  // F[j - 1] < u <= F[j]
  return low + h * (static_cast<double>(j - 1) + (u - F[j - 1]) / (F[j] - F[j - 1]));
}

TwoClassScoringEquilibrium::TwoClassScoringEquilibrium(const BidderClass& first, const BidderClass& second,
                                                       double reserve, std::size_t grid, double negligible)
    : negligible_(negligible) {
  const BidderClass* classes[2] = {&first, &second};
  double lowest = kInf;
  for (int k = 0; k < 2; ++k) {
    const auto& c = *classes[k];
    if (c.count < 0)
      throw Error(fmt::format("TwoClassScoringEquilibrium: class {} has {} bidders; need >= 0", k, c.count));
    if (!(std::isfinite(c.low) && std::isfinite(c.high) && c.low < c.high))
      throw Error(fmt::format("TwoClassScoringEquilibrium: class {} needs finite low < high, got [{}, {}]", k, c.low,
                              c.high));
    if (c.count > 0 && !c.cdf) throw Error(fmt::format("TwoClassScoringEquilibrium: class {} has no cdf", k));
    n_[k] = c.count;
    high_[k] = c.high;
    if (c.count > 0) lowest = std::min(lowest, c.low);
  }
  if (n_[0] + n_[1] < 1) throw Error("TwoClassScoringEquilibrium: need at least one bidder");
  if (!std::isfinite(reserve)) throw Error("TwoClassScoringEquilibrium: reserve must be finite");
  if (grid < 16) throw Error(fmt::format("TwoClassScoringEquilibrium: grid must be >= 16, got {}", grid));
  if (!(negligible > 0 && negligible < 1e-3))
    throw Error(fmt::format("TwoClassScoringEquilibrium: negligible must be in (0, 1e-3), got {}", negligible));
  bottom_ = std::max(reserve, lowest);
  for (int k = 0; k < 2; ++k) present_[k] = n_[k] > 0 && high_[k] > bottom_;
  if (present_[0] != present_[1]) {  // one class competes: the symmetric equilibrium
    single_class_ = present_[0] ? 0 : 1;
    const auto& c = *classes[single_class_];
    single_.emplace(c.cdf, c.low, c.high, c.count, reserve, grid);
    bottom_ = std::max(reserve, c.low);
    top_ = single_->score(c.high);
    accuracy_ = single_->accuracy();
  }
  for (int k = 0; k < 2; ++k) {  // each competing class's cdf, tabulated finer than the score grid
    if (!present_[k]) continue;
    auto& law = law_[k];
    const auto& c = *classes[k];
    law.low = c.low;
    law.high = c.high;
    law.F.resize(4 * grid + 1);
    law.h = (c.high - c.low) / static_cast<double>(law.F.size() - 1);
    for (std::size_t j = 0; j < law.F.size(); ++j) {
      law.F[j] = std::clamp(c.cdf(c.low + law.h * static_cast<double>(j)) / (1 - kTail), 0.0, 1.0);
      if (j && law.F[j] < law.F[j - 1]) law.F[j] = law.F[j - 1];
    }
  }
  if (!(present_[0] && present_[1])) {
    if (!single_) top_ = bottom_;  // nobody can meet the reserve
    return;
  }
  // The strong class has the higher top; with n_s >= 2 the weak one may stop below tbar.
  // Top types as the tabulated laws see them: the lowest x with F(x) = 1 in doubles (far
  // tails, e.g. a lognormal's 8 sd, saturate before high), so that phi_k(tbar) and the free
  // boundary's condition use the same top.
  for (int k = 0; k < 2; ++k) top_type_[k] = law_[k].quantile(1.0);
  strong_ = top_type_[0] >= top_type_[1] ? 0 : 1;
  const double hi = n_[strong_] >= 2 ? top_type_[strong_] : std::min(top_type_[0], top_type_[1]);
  const Path coarse = solve(grid, bottom_, hi);
  // The fine solution's tbar lies within 1e-4 of the span of the coarse one's (checked: the
  // bracket's lower end must integrate and its upper end fail, else the whole range is searched).
  const double width = 1e-4 * (hi - bottom_);
  const double below = std::max(bottom_, coarse.top - width), above = std::min(hi, coarse.top + width);
  Path probe;
  const bool bracketed = (below == bottom_ || integrate(below, 2 * grid, &probe)) &&
                         (above == hi || !integrate(above, 2 * grid, &probe));
  path_ = bracketed ? solve(2 * grid, below, above) : solve(2 * grid, bottom_, hi);
  top_ = path_.top;
  // Over the types that matter: a real chance to win, and neither in the far upper tail of
  // their class (the top 1e-9 of each law, whose inverse bids sweep a tail within a cell of
  // tbar) nor in its bottom 1e-9 (types that essentially never occur, e.g. a lone free
  // bidder's lowest types, which still win with chance ~1e-9 against bound rivals).
  for (int k = 0; k < 2; ++k) {
    constexpr int kProbes = 512;
    for (int i = 0; i <= kProbes; ++i) {
      const double x = bottom_ + (high_[k] - bottom_) * i / kProbes;
      const double fine = score_on(path_, k, x);
      const double F = law_[k].cdf(x);
      if (win_on(path_, k, bottom_, n_, fine) >= std::max(1e-9, 10 * negligible_) && F >= 1e-9 && F <= 1 - 1e-9)
        accuracy_ = std::max(accuracy_, std::abs(fine - score_on(coarse, k, x)));
    }
  }
}

// Backward shooting: bisect tbar between r' (too low) and an upper end that is too high: the
// lower top type when the classes must share the top score (it would bid its whole value),
// else the higher one (the strong class's top type).
TwoClassScoringEquilibrium::Path TwoClassScoringEquilibrium::solve(std::size_t steps, double lo, double hi) const {
  Path best, trial;
  bool found = false;
  for (int iteration = 0; iteration < 200; ++iteration) {
    const double mid = 0.5 * (lo + hi);
    if (!(mid > lo && mid < hi)) break;  // converged to the last bit (the shooting is unstable: a tbar
                                         // off by 1e-10 of the span moves low types' bids by 1e-2)
    if (integrate(mid, steps, &trial)) {
      lo = mid;
      std::swap(best, trial);
      found = true;
    } else {
      hi = mid;
    }
  }
  if (!found) throw Error("TwoClassScoringEquilibrium: backward shooting found no top score (degenerate classes?)");
  // ln F_k > 0 on the solution: the coupled system pushed F_k above 1 below a top score. Seen
  // when a class's law has a far thin upper tail (hq_bidding's lognormal values cut at 8 sd):
  // just below a free boundary the weak inverse bid sweeps that tail, and RK4 overshoots.
  if (best.overshoot > 1e-3)
    throw Error(fmt::format("TwoClassScoringEquilibrium: ln F_{} rises to {:.3g} on the solution (no consistent top "
                            "scores found)",
                            best.overshoot_class, best.overshoot));
  for (int k = 0; k < 2; ++k)  // rounding may leave a flat step; the inverse must not fall
    for (std::size_t j = 1; j < best.phi[k].size(); ++j) {
      best.phi[k][j] = std::max(best.phi[k][j], best.phi[k][j - 1]);
      best.L[k][j] = std::max(best.L[k][j], best.L[k][j - 1]);
    }
  return best;
}

// RK4 from t = top down to r' in `steps` steps on (L_1, L_2); false as soon as a margin
// phi_k - t is no longer positive (the guess was too high). The independent variable is
// the grid index u, t(u) = r' + (top - r') g(u / K) with g(s) = s^2 (3 - 2 s), graded at both
// ends: near a reserve with an atom below it phi_k - t grows like sqrt(t - r'), smooth in u,
// and near the top the inverse bids sweep the cdfs' upper tails within a short span of scores.
// Free boundary: while the weak class's top type would rather bid less than t (gap < 0,
// below), the strong class bids alone, (n_s - 1) L_s' = 1 / (phi_s - t), L_w = 0; the weak
// class's top score t_w is the root of the gap, located by bisection inside its cell; below
// it both classes bid.

bool TwoClassScoringEquilibrium::integrate(double top, std::size_t steps, Path* path) const {
  const double K = static_cast<double>(steps), span = top - bottom_;
  const double n1 = static_cast<double>(n_[0] + n_[1] - 1);
  const double n0 = static_cast<double>(n_[0]), n1_ = static_cast<double>(n_[1]);
  const int s = strong_, w = 1 - s;
  const double ns = static_cast<double>(n_[s]);
  const double kNegligible = std::log(negligible_);  // ln P_k(t) below which a bid does not matter
  auto score = [&](double u) { return bottom_ + span * grading(u / K); };
  bool alone = false;  // the strong class bids alone (above the weak class's top score)
  auto slope = [&](double u, const double* L, double* d) {  // dL/du
    const double t = score(u), dt = span * 6 * (u / K) * (1 - u / K) / K;
    double inv[2];
    for (int k = 0; k < 2; ++k) {
      if (alone && k == w) continue;
      const double margin = law_[k].quantile(std::exp(L[k])) - t;
      if (!(margin > 0)) return false;
      inv[k] = dt / margin;
    }
    if (alone) {
      d[s] = inv[s] / (ns - 1);
      d[w] = 0;
      return true;
    }
    d[0] = (static_cast<double>(n_[1]) * inv[1] - static_cast<double>(n_[1] - 1) * inv[0]) / n1;
    d[1] = (static_cast<double>(n_[0]) * inv[0] - static_cast<double>(n_[0] - 1) * inv[1]) / n1;
    return true;
  };
  // The weak top type's first-order condition for a score t the strong class bids alone:
  // n_s (high_w - t) = (n_s - 1)(phi_s(t) - t); gap < 0: it would rather bid less than t.
  auto gap = [&](double u, const double* L) {
    return ns * (top_type_[w] - score(u)) - (ns - 1) * (law_[s].quantile(std::exp(L[s])) - score(u));
  };
  // Below t_w, where the weak law's upper tail is thin, L_w is stiff: its rate dL_w'/dL_w =
  // (n_s - 1) / ((n - 1)(phi_w - t)^2) F_w / f_w(phi_w) is huge and the dynamics (backwards in
  // t) pull phi_w onto the curve where L_w' = 0, phi*(t) = t + (n_s - 1)(phi_s - t) / n_s.
  // There (quasi-steady state) L_w = ln F_w(phi*), and on that curve the strong class's L_s'
  // is exactly its alone slope. Stiff: rate x (one cell's span of scores) > kStiff.
  bool tail = false;
  auto stiffness = [&](double u, double phi_w) {
    const double t = score(u), dt = span * 6 * (u / K) * (1 - u / K) / K;
    const double density = law_[w].density(phi_w);
    if (!(density > 0)) return kInf;
    return (ns - 1) / (n1 * (phi_w - t) * (phi_w - t)) * law_[w].cdf(phi_w) / density * dt;
  };
  auto on_curve = [&](double u, const double* L) {  // phi*(t), never above the weak top
    const double t = score(u);
    return std::min(top_type_[w], t + (ns - 1) * (law_[s].quantile(std::exp(L[s])) - t) / ns);
  };
  path->top = top;
  path->top_score[0] = path->top_score[1] = top;
  path->overshoot = 0;
  for (int k = 0; k < 2; ++k) {
    path->phi[k].assign(steps + 1, 0.0);
    path->L[k].assign(steps + 1, 0.0);
    path->phi[k][steps] = law_[k].quantile(1.0);
  }
  // One RK4 step from u to u - du.
  auto rk4 = [&](double u, double du, const double* L, double* out) {
    double k1[2], k2[2], k3[2], k4[2], y[2];
    if (!slope(u, L, k1)) return false;
    for (int k = 0; k < 2; ++k) y[k] = L[k] - 0.5 * du * k1[k];
    if (!slope(u - 0.5 * du, y, k2)) return false;
    for (int k = 0; k < 2; ++k) y[k] = L[k] - 0.5 * du * k2[k];
    if (!slope(u - 0.5 * du, y, k3)) return false;
    for (int k = 0; k < 2; ++k) y[k] = L[k] - du * k3[k];
    if (!slope(u - du, y, k4)) return false;
    for (int k = 0; k < 2; ++k) out[k] = L[k] - du * (k1[k] + 2 * k2[k] + 2 * k3[k] + k4[k]) / 6;
    return true;
  };
  // Step doubling: a cell is halved (at most 10 times) until one step and two half steps
  // agree to 1e-6 of |L| + 1e-12 (1e-8 cost 2.5 times as many steps for no gain in accuracy); needed near the top, where the inverse bids sweep the
  // upper tails.
  auto advance = [&](auto&& self, double u, double du, double* L, int depth) -> bool {
    double whole[2], half[2], two[2];
    if (!rk4(u, du, L, whole) || !rk4(u, 0.5 * du, L, half) || !rk4(u - 0.5 * du, 0.5 * du, half, two)) {
      if (depth == 0) return false;  // a failing margin, not a step too long
    } else {
      bool close = true;
      for (int k = 0; k < 2; ++k) close = close && std::abs(whole[k] - two[k]) <= 1e-6 * std::abs(two[k]) + 1e-12;
      if (close || depth == 0) {
        L[0] = two[0];
        L[1] = two[1];
        return true;
      }
    }
    return self(self, u, 0.5 * du, L, depth - 1) && self(self, u - 0.5 * du, 0.5 * du, L, depth - 1);
  };
  double L[2] = {0, 0};
  alone = n_[s] >= 2 && gap(K, L) < 0;
  if (alone) path->top_score[w] = bottom_;  // until its top score is found
  for (std::size_t j = steps; j > 0; --j) {
    const double u = static_cast<double>(j);
    const double start[2] = {L[0], L[1]};
    if (!advance(advance, u, 1.0, L, 10)) return false;
    if (alone && !tail && gap(u - 1, L) >= 0) {
      // The weak top type's score lies in this cell: bisect on the end of one alone step from u.
      double above = u, below = u - 1, at[2] = {L[0], L[1]};
      for (int i = 0; i < 50 && above - below > 1e-12; ++i) {
        const double mid = 0.5 * (above + below);
        double y[2];
        if (rk4(u, u - mid, start, y) && gap(mid, y) < 0) {
          above = mid;
        } else {
          below = mid;
        }
      }
      if (above < u && !rk4(u, u - above, start, at)) return false;
      if (above >= u) std::copy(start, start + 2, at);
      path->top_score[w] = score(above);
      L[0] = at[0];
      L[1] = at[1];
      L[w] = 0;
      tail = stiffness(above, top_type_[w]) > kStiff;
      alone = tail;
      if (above - (u - 1) > 1e-12 && !advance(advance, above, above - (u - 1), L, 10)) return false;
    }
    if (tail) {  // the weak inverse bid on the curve; leave it where L_w is no longer stiff
      const double phi = on_curve(u - 1, L);
      L[w] = std::log(std::max(law_[w].cdf(phi), 1e-300));
      if (stiffness(u - 1, phi) <= kStiff) tail = alone = false;
    }
    const double t = score(u - 1);
    for (int k = 0; k < 2; ++k) {
      if (L[k] > path->overshoot) {
        path->overshoot = L[k];
        path->overshoot_class = k;
      }
      L[k] = std::min(L[k], 0.0);
      const double phi = law_[k].quantile(std::exp(L[k]));
      if (!(phi - t > 0) && L[k] < 0) return false;
      path->phi[k][j - 1] = phi;
      path->L[k][j - 1] = L[k];
    }
    if (!alone && !tail && j - 1 > 0 &&
        std::max(n0 * L[0] + n1_ * L[1] - L[0], n0 * L[0] + n1_ * L[1] - L[1]) < kNegligible) {
      fill_bottom(j - 1, path);
      return true;
    }
  }
  return true;
}

// Below the score where both classes' chance to win fell under 1e-12 the bids do not matter
// and the far tails of the cdfs cannot steer the shooting: the inverse bids run linearly down
// to the lowest types bidding r'.
void TwoClassScoringEquilibrium::fill_bottom(std::size_t stop, Path* path) const {
  const double edge = path->score_at(stop, bottom_);
  for (int k = 0; k < 2; ++k) {
    const double lowest = std::max(bottom_, law_[k].low), top = path->phi[k][stop];
    for (std::size_t j = 0; j < stop; ++j) {
      const double phi = lowest + (top - lowest) * (path->score_at(j, bottom_) - bottom_) / (edge - bottom_);
      path->phi[k][j] = phi;
      path->L[k][j] = std::log(std::max(law_[k].cdf(phi), 1e-300));
    }
  }
}

double TwoClassScoringEquilibrium::Path::score_at(std::size_t j, double bottom) const {
  return bottom + (top - bottom) * grading(static_cast<double>(j) / static_cast<double>(phi[0].size() - 1));
}

double TwoClassScoringEquilibrium::Path::read(const std::vector<double>& table, double bottom, double t) const {
  const double y = std::clamp((t - bottom) / (top - bottom), 0.0, 1.0);
  const double s = 0.5 - std::sin(std::asin(1 - 2 * y) / 3);  // g^{-1}(y)
  return interpolate(table, 0, 1, static_cast<double>(table.size() - 1) * s);
}

// t(x) read off the path linearly in ln F_k(x), the variable the path is smooth in (the
// inverse bids themselves sweep the upper tails within a cell or two of the top). A class
// with a free boundary at t_w < tbar has ln F_k ~ -c (t_w - t)^2 below it (its bid function
// has a vertical tangent at its top type): read linearly in sqrt(-ln F_k) there, with the
// node (t_w, 0) closing the cell that contains t_w.
double TwoClassScoringEquilibrium::score_on(const Path& path, int k, double x) const {
  if (x < bottom_) return kNoBid;
  const auto& phi = path.phi[k];
  const auto& L = path.L[k];
  const double top = path.top_score[k];
  if (x >= phi.back()) return top;
  if (x <= phi.front()) return bottom_;  // no real chance to win: the reserve
  const double ell = std::log(law_[k].cdf(x));
  const auto j = static_cast<std::size_t>(std::upper_bound(L.begin(), L.end(), ell) - L.begin());
  if (j == 0) return bottom_;
  if (j == L.size()) return top;
  double lo = path.score_at(j - 1, bottom_), hi = path.score_at(j, bottom_), upper = L[j];
  if (top < path.top) {
    if (lo >= top) return top;
    if (hi > top) {
      hi = top;
      upper = 0;
    }
    const double a = std::sqrt(-L[j - 1]), b = std::sqrt(-upper);
    return a == b ? hi : lo + (hi - lo) * (a - std::sqrt(-ell)) / (a - b);
  }
  return lo + (hi - lo) * (ell - L[j - 1]) / (upper - L[j - 1]);
}

// ln F_k(phi_k(t)) on the path; 0 at and above the class's top score.
double TwoClassScoringEquilibrium::Path::log_cdf(int k, double bottom, double t) const {
  if (t >= top_score[k]) return 0;
  if (top_score[k] < top) {  // the cell that contains the free boundary ends at (t_w, 0)
    const double y = std::clamp((t - bottom) / (top - bottom), 0.0, 1.0);
    const double u = static_cast<double>(L[k].size() - 1) * (0.5 - std::sin(std::asin(1 - 2 * y) / 3));
    const auto j = static_cast<std::size_t>(u);
    if (j + 1 < L[k].size() && score_at(j + 1, bottom) > top_score[k]) {
      const double lo = score_at(j, bottom);
      return top_score[k] > lo ? L[k][j] * (top_score[k] - t) / (top_score[k] - lo) : 0.0;
    }
  }
  return read(L[k], bottom, t);
}

double TwoClassScoringEquilibrium::win_on(const Path& path, int k, double bottom, const std::int64_t n[2], double t) {
  if (t < bottom) return 0;
  if (t >= path.top) return 1;
  const double own = path.log_cdf(k, bottom, t), other = path.log_cdf(1 - k, bottom, t);
  return std::exp(static_cast<double>(n[k] - 1) * own + static_cast<double>(n[1 - k]) * other);
}

std::int64_t TwoClassScoringEquilibrium::count(int k) const {
  if (k != 0 && k != 1) throw Error(fmt::format("TwoClassScoringEquilibrium: class must be 0 or 1, got {}", k));
  return n_[k];
}

double TwoClassScoringEquilibrium::score(int k, double x) const {
  count(k);
  if (single_) return k == single_class_ ? single_->score(x) : kNoBid;
  if (!present_[k]) return kNoBid;
  return score_on(path_, k, x);
}

double TwoClassScoringEquilibrium::inverse(int k, double t) const {
  count(k);
  if (single_ && k == single_class_) return single_->inverse(t);
  if (!(present_[0] && present_[1])) return high_[k];  // this class never meets the reserve
  if (t >= path_.top_score[k]) return high_[k];
  return path_.read(path_.phi[k], bottom_, t);
}

double TwoClassScoringEquilibrium::top_score(int k) const {
  count(k);
  if (present_[0] && present_[1]) return path_.top_score[k];
  return k == single_class_ ? top_ : kNoBid;
}

double TwoClassScoringEquilibrium::win_probability(int k, double t) const {
  count(k);
  if (present_[0] && present_[1]) return win_on(path_, k, bottom_, n_, t);
  if (!single_ || t < bottom_) return 0;
  if (t >= top_) return 1;
  const auto s = single_class_;  // the rivals that bid are this class's (all n_s of them if k is the other)
  return std::pow(law_[s].cdf(single_->inverse(t)), static_cast<double>(n_[s] - (k == s ? 1 : 0)));
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
