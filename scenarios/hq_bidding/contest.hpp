#pragma once
// The location contest: cities bid subsidies for one firm (a headquarters, a sports
// franchise) that picks the best site, with an optional contingent pact binding the
// cities that signed it. Written once; hq_bidding runs one contest per round and
// stadium_pact one per expiring lease. Equations: docs/models/hq_bidding.md.
//
// Pact terms for a bound city (a signer of an active pact, or every city under a
// mandated cap):
//   match  a subsidy S must come with match * S invested in public schools worth
//          school_value per unit, so S costs S (1 + match (1 - school_value));
//   cap    S <= cap_level;   ban   S = 0.
// A bound city may breach (bid as if unbound); a breach is detected with probability
// detect_prob and the breacher pays `penalty`, shared equally among the other bound
// cities (among all other cities if it is the only one).
//
// Pieces:
//   * ScoringEquilibrium: the symmetric Bayes-Nash equilibrium of the first-price
//     scoring auction. A bidder with fundamentals a and value w (in subsidy units) has
//     pseudo-type x = a + w; its score t = a + S earns w - S = x - t if it wins, so the
//     equilibrium score is the first-price bid of Riley and Samuelson (1981) in x:
//     t(x) = x - int_{r'}^x (F(y)/F(x))^{n-1} dy, S = t(x) - a. Tabulated on a grid by
//     trapezoidal quadrature of the ratio, computed recursively so it never underflows;
//     accuracy = max |t_K - t_{2K}| over the types whose chance to win
//     F^{n-1} is at least 1e-9, reported.
//   * TwoClassScoringEquilibrium: the Bayes-Nash equilibrium when the bidders form two
//     classes, n_1 with pseudo-type cdf F_1 and n_2 with F_2 (e.g. cities bound by a pact,
//     whose subsidy costs more, and free ones). A class-k bidder scoring t wins with
//     P_k(t) = F_k(phi_k(t))^{n_k - 1} F_j(phi_j(t))^{n_j}, phi the inverse bid functions;
//     its first-order condition (phi_k(t) - t) d/dt ln P_k(t) = 1 for k = 1, 2 is a 2x2
//     linear system in L_k'(t), L_k(t) = ln F_k(phi_k(t)), of determinant 1 - n:
//       L_1' = (n_2 / (phi_2 - t) - (n_2 - 1) / (phi_1 - t)) / (n - 1)
//       L_2' = (n_1 / (phi_1 - t) - (n_1 - 1) / (phi_2 - t)) / (n - 1).
//     Boundary conditions: a common top score tbar with phi_k(tbar) = high_k (or a free
//     boundary, below), and at the
//     bottom the lowest participating types bid r' = max(reserve, lowest type), phi_k(r')
//     = r'. Solved by backward shooting on tbar (Marshall, Meurer, Richard and Stromquist
//     1994): from a guess tbar in (r', min high_k) the system is integrated down to r' by
//     classical RK4 with step doubling (a cell is halved, at most 10 times, until one step
//     and two half steps agree to 1e-6 |L| + 1e-12), on K cells of scores graded towards
//     both ends, t_j = r' + (tbar - r') g(j / K), g(s) = s^2 (3 - 2 s) (near a reserve with
//     an atom below it phi_k - t grows like sqrt(t - r'); near the top the inverse bids
//     sweep the upper tails). The state is (L_1, L_2); phi_k = F_k^{-1}(e^{L_k}) is read off
//     the cdf tabulated on 4K + 1 points, so no density is needed. A guess is too high when
//     some margin phi_k - t reaches 0 above r'; too low when every margin is still positive
//     at r', or at the score below which both classes' chance to win is under `negligible`
//     (1e-12 by default; there
//     the inverse bids are continued linearly down to r': bids that cannot win do not
//     matter, and the cdfs' far tails must not steer the shooting). Bisection to the last
//     bit; the kept trajectory is the last that did not fail (types between r' and phi_k(r')
//     bid r'). score_k(x) is read off it linearly in ln F_k(x). accuracy = max |t_K - t_2K|
//     over each class's types with a chance to win >= max(1e-9, 10 negligible) and not in
//     its top or bottom 1e-9.
//     Free boundary: with n_s >= 2 bidders in the class with the higher top type (strong,
//     s), the weak class w may stop below tbar: its top type's best score t_w solves
//     n_s (high_w - t) = (n_s - 1)(phi_s(t) - t) (first-order condition of (high_w - t)
//     F_s(phi_s(t))^{n_s}; the left minus the right side rises as t falls, so the root is
//     unique and above it the payoff falls: the second-order condition holds). On (t_w, tbar]
//     the strong class bids alone, (n_s - 1) L_s' = 1 / (phi_s - t), L_w = 0; from a guess
//     tbar (now bracketed by high_s) the integration starts there when the condition fails
//     at tbar, locates t_w inside its cell by bisection, and continues with the two-class
//     system from L_w(t_w) = 0 (at t_w both L' are continuous, L_w' = 0). The shooting and
//     its bottom test are unchanged. The weak class's bid has a vertical tangent at its top
//     (L_w ~ -c (t_w - t)^2): its score is read linearly in sqrt(-ln F_w). If the tops are
//     close or n_s = 1 the common top applies (t_w = tbar). Thin upper tails (hq_bidding's
//     lognormal values): just below t_w the weak L_w is stiff (rate (n_s - 1) F_w / ((n - 1)
//     f_w (phi_w - t)^2)) and pulls phi_w onto phi*(t) = t + (n_s - 1)(phi_s - t) / n_s, where
//     L_w' = 0; while the rate times a cell's span exceeds 10 the weak class is kept there
//     (quasi-steady state, L_w = ln F_w(phi*), and the strong class's slope is its alone one),
//     then RK4 resumes. Each law is cut at its 1 - 1e-6 quantile (F / (1 - 1e-6), the types
//     above bid like it): the far tail only steers the numerics. ln F_k > 1e-3 on a solution
//     throws (ln F_k is clamped at 0 otherwise). The bisection of the fine solve is bracketed
//     within 1e-4 of the span around the coarse tbar (checked, else the whole range).
//     With one class empty (or unable to meet the reserve) it is ScoringEquilibrium of the
//     other class. Griesmer, Levitan and Shubik (1967): the closed form for two uniform
//     bidders; Maskin and Riley (2000): the weak class bids more aggressively at a type.
//   * ScoreCdf: the law of a rival's score, H(t) = P(a + S <= t), tabulated by
//     quadrature over the fundamentals a ~ N(mean, sd); a bidder's chance to win at
//     score t against m rivals of one kind and k of another is H1(t)^m H2(t)^k.
//   * largest_self_consistent_set: signers who each gain from signing given the set,
//     by iterated elimination from the full set.
//   * settle_contest: breaches, detection, penalties, the firm's choice
//     (markets/auctions.hpp scoring_auction, logit choice_noise), payoffs, welfare.
// Every function throws marketsim::Error on bad arguments.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "markets/auctions.hpp"
#include "sim/params.hpp"
#include "sim/random.hpp"

namespace marketsim::contest {

enum class PactRule { match, cap, ban };
PactRule parse_pact_rule(std::string_view name);  // "match", "cap", "ban"

struct PactTerms {
  PactRule rule = PactRule::match;
  double match = 5;            // school investment per unit of subsidy (rule match)
  double school_value = 0.5;   // value to the city of a unit of school investment
  double cap_level = 0.1;      // highest subsidy (rule cap)
  double detect_prob = 1;      // chance a breach is detected
  double penalty = 1;          // paid by a detected breacher
  double public_funds_cost = 0;  // lambda: a subsidy S costs (1 + lambda) S of welfare
};

// The pact's parameters, declared once for every scenario with a pact: the terms
// (pact_rule, match, school_value, cap_level) and the enforcement (detect_prob, penalty,
// public_funds_cost), each group in this order.
void add_pact_terms_params(Schema& schema);
void add_enforcement_params(Schema& schema);
// The terms those parameters give.
PactTerms pact_terms(const Params& params);

// Cost to the city of one unit of subsidy: 1 + lambda, plus match (1 - school_value) if bound
// under a match pact.
double unit_cost(const PactTerms& terms, bool bound);
// The largest subsidy a bound city may pay: cap_level (cap), 0 (ban), +inf (match).
double subsidy_limit(const PactTerms& terms);

// Symmetric first-price scoring-auction equilibrium for `bidders` bidders whose pseudo-types
// are iid with cdf `cdf` on [low, high] (cdf(low) may be > 0 only if low is an atom-free
// lower end), reserve score r.
class ScoringEquilibrium {
 public:
  ScoringEquilibrium(std::function<double(double)> cdf, double low, double high, std::int64_t bidders,
                     double reserve, std::size_t grid = 2048);
  double score(double x) const;    // t(x); kNoBid below the reserve
  double subsidy(double a, double x) const { return score(x) - a; }  // may be < 0: callers floor at 0
  double inverse(double t) const;  // the pseudo-type bidding score t (clamped to the grid)
  double accuracy() const { return accuracy_; }  // max |t_K - t_2K|
  double low() const { return low_; }
  double high() const { return high_; }

 private:
  static std::vector<double> tabulate(const std::vector<double>& F, double low, double h, std::int64_t n,
                                      double reserve);
  double low_, high_, h_, reserve_;
  std::vector<double> t_;
  double accuracy_ = 0;
};

// One class of bidders in TwoClassScoringEquilibrium: `count` bidders whose pseudo-types are
// iid with cdf `cdf` on [low, high].
struct BidderClass {
  std::function<double(double)> cdf;
  double low = 0, high = 1;
  std::int64_t count = 0;
};

// Two-class first-price scoring-auction equilibrium (classes 0 and 1), reserve score r;
// `grid` scores between r' and tbar (the accuracy check solves again on 2 grid, kept).
// Below the score where both classes' chance to win is under `negligible` the inverse bids
// are continued linearly to r' (the shooting cannot resolve them, and they do not matter);
// accuracy is measured over types whose chance is at least max(1e-9, 10 negligible).
class TwoClassScoringEquilibrium {
 public:
  TwoClassScoringEquilibrium(const BidderClass& first, const BidderClass& second, double reserve,
                             std::size_t grid = 1024, double negligible = 1e-12);
  double score(int k, double x) const;    // class k's score at pseudo-type x; kNoBid below the reserve
  double inverse(int k, double t) const;  // phi_k(t): the class-k type bidding t (clamped to its range)
  double win_probability(int k, double t) const;  // P_k(t) against the others' equilibrium bids
  double top_score() const { return top_; }       // tbar: the highest score anyone bids
  double top_score(int k) const;  // the highest score class k bids (< tbar at a free boundary); kNoBid if it never bids
  double bottom_score() const { return bottom_; }  // r'
  double accuracy() const { return accuracy_; }   // max |t_K - t_2K|
  std::int64_t count(int k) const;

 private:
  static double grading(double s) { return s * s * (3 - 2 * s); }
  struct Path {  // a solution on the score grid t_j = r' + (tbar - r') grading(j / K)
    double top = 0;
    double top_score[2] = {0, 0};  // each class's highest score (the weak one's t_w <= tbar)
    std::vector<double> phi[2], L[2];  // inverse bids and ln F_k(phi_k) at t_j
    double overshoot = 0;  // the largest ln F_k met (> 0: no common top, see solve)
    int overshoot_class = 0;
    double score_at(std::size_t j, double bottom) const;  // t_j
    double read(const std::vector<double>& table, double bottom, double t) const;  // linear in j
    double log_cdf(int k, double bottom, double t) const;  // ln F_k(phi_k(t)), exact 0 above t_k
  };
  struct Law {  // F_k tabulated on [low, high], read linearly both ways
    double low = 0, high = 1, h = 1;
    std::vector<double> F;
    double cdf(double x) const;
    double quantile(double u) const;  // the lowest x with F(x) = u
    double density(double x) const;   // slope of the cell below x
  };
  Path solve(std::size_t steps, double lo, double hi) const;  // bisection of tbar in (lo, hi)
  bool integrate(double top, std::size_t steps, Path* path) const;
  void fill_bottom(std::size_t stop, Path* path) const;
  double score_on(const Path& path, int k, double x) const;
  static double win_on(const Path& path, int k, double bottom, const std::int64_t n[2], double t);
  std::int64_t n_[2] = {0, 0};
  static constexpr double kTail = 1e-6;  // each law is cut at its 1 - kTail quantile (renormalised)
  static constexpr double kStiff = 10;  // see integrate: the weak tail's quasi-steady state
  double negligible_ = 1e-12;  // chance to win below which bids do not matter
  int strong_ = 0;  // the class with the higher top type
  double top_type_[2] = {0, 0};  // the lowest type with F_k = 1 in the tabulated law
  double high_[2] = {0, 0};
  double bottom_ = 0, top_ = 0, accuracy_ = 0;
  bool present_[2] = {false, false};
  Law law_[2];
  Path path_;
  std::optional<ScoringEquilibrium> single_;  // one class competes
  int single_class_ = -1;
};

// H(t) = P(score <= t) for a bidder whose fundamentals are N(mean, sd) (sd = 0: a point),
// given exceed(t, a) = P(score > t | a), on `grid` points over [low, high].
class ScoreCdf {
 public:
  ScoreCdf(std::function<double(double t, double a)> exceed, double fund_mean, double fund_sd, double low,
           double high, std::size_t grid = 512);
  double operator()(double t) const;
  // Chance that score t beats m rivals with cdf `a` and k with cdf `b` (argmax choice).
  static double win_probability(double t, const ScoreCdf& a, std::int64_t m, const ScoreCdf& b, std::int64_t k);

 private:
  double low_, high_, h_;
  std::vector<double> H_;
};

// Iterated elimination: start with every candidate signing; a signer stays iff gains(i, m)
// with m = the current number of signers; repeat until nobody leaves. Fills `signers`
// (0/1 per city) and returns the number of passes. gains must be safe to call in order.
std::size_t largest_self_consistent_set(std::size_t cities, const std::function<bool(std::size_t, std::size_t)>& gains,
                                        std::span<std::uint8_t> signers);

struct ContestInput {
  std::span<const double> fundamentals;  // a_i: the firm's value of site i
  std::span<const double> benefit;       // B_i: true benefit of hosting
  std::span<const double> bid;           // the subsidy each city offers (>= 0), after its breach choice
  std::span<const std::uint8_t> bound;   // bound by the pact (1) or not
  std::span<const std::uint8_t> breach;  // a bound city that bids as if unbound (1)
};

struct ContestOutcome {
  std::size_t winner = AuctionOutcome::none;
  double subsidy = 0;           // paid by the winner to the firm
  double school = 0;            // school investment of the winner (bound, match, compliant)
  double winner_cost = 0;       // (1 + lambda) subsidy + (1 - school_value) school
  double winner_benefit = 0;    // B_w
  double winner_fundamentals = 0;  // a_w
  double firm_surplus = 0;      // a_w + subsidy (0 without a winner)
  double cities_payoff = 0;     // sum of city payoffs
  double penalties = 0;         // paid (= received)
  double welfare = 0;           // cities_payoff + firm_surplus
  std::size_t breaches = 0, detected = 0;
  bool sold() const { return winner != AuctionOutcome::none; }
};

// One contest; `payoff` (one per city) receives each city's payoff. Detection draws from
// `detection` (one uniform per breach, in city order); the firm's choice uses `choice`.
ContestOutcome settle_contest(const ContestInput& in, const PactTerms& terms, const AuctionRules& firm,
                              Stream& detection, Stream& choice, std::span<double> payoff);

}  // namespace marketsim::contest
