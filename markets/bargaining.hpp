#pragma once
// Two-party bargaining: the (generalised) Nash bargaining solution and Rubinstein's
// alternating-offers game. Rules, equations and tests: docs/mechanisms.md#bargaining.
//
// Nash (1950), generalised to asymmetric power a (Kalai 1977; Binmore, Rubinstein and
// Wolinsky 1986): among feasible payoff pairs (u1, u2) with u1 >= d1 and u2 >= d2
// (d = the threat point, what each side gets if they do not agree), choose the one
// maximising (u1 - d1)^a (u2 - d2)^(1-a). With transferable utility over a surplus S the
// frontier is u1 + u2 = S and the solution is closed form:
//   u1 = d1 + a (S - d1 - d2),  u2 = d2 + (1 - a)(S - d1 - d2).
// For a general frontier u2 = f(u1) (non-increasing and concave) it is found numerically
// by golden-section search on the concave objective a log(u1-d1) + (1-a) log(f(u1)-d2).
// When no feasible point gives both at least their threat point there is no deal: the
// result says so (agreement = false) and pays the threat point. A tie (gains of zero)
// is an agreement: both are indifferent, and agreeing is the convention of the
// responder in Rubinstein's game too (accept iff offer >= continuation value).
//
// Rubinstein (1982): players alternate proposing how to split a unit pie; a rejection
// costs a round, player i discounts a round by delta_i in (0, 1). The unique subgame-
// perfect equilibrium is stationary, agreement is immediate and the proposer i gets
//   x_i = (1 - delta_j) / (1 - delta_i delta_j),
// the responder 1 - x_i = delta_j x_j (its continuation value). With delta_i =
// exp(-r_i dt) and dt -> 0 the split tends to the Nash solution with power
// a_1 = r_2 / (r_1 + r_2) = log delta_2 / (log delta_1 + log delta_2) (Binmore,
// Rubinstein and Wolinsky 1986).
//
// Bad arguments (power outside [0, 1], discount factors outside (0, 1), non-finite
// inputs, an empty frontier interval, tolerance <= 0) throw marketsim::Error.
#include <array>
#include <functional>

namespace marketsim::bargaining {

// Payoffs of the two parties; the threat point when agreement is false.
struct NashOutcome {
  bool agreement = false;
  double u1 = 0;
  double u2 = 0;
};

// Transferable utility: split `surplus` with threat point (d1, d2) and party 1's power
// `power1` in [0, 1]. No deal iff surplus < d1 + d2.
NashOutcome nash_transferable(double surplus, double d1, double d2, double power1);

// General frontier u2 = frontier(u1) on [u1_min, u1_max], non-increasing and concave
// (a Pareto frontier of a convex bargaining set). Golden-section search on u1 stops when
// the bracket is narrower than `tolerance` (absolute, in units of u1); u2 is then
// frontier(u1) exactly, so the point is on the frontier. Accuracy: near a smooth
// maximum the objective is flat to second order, so double precision locates u1 to
// about 1e-8 relative (the square root of machine epsilon) whatever the tolerance;
// at a kink of the frontier it is found to the tolerance. The frontier is assumed, not
// checked, to be concave; a frontier value that is not finite throws.
NashOutcome nash_frontier(const std::function<double(double)>& frontier, double u1_min, double u1_max,
                          double d1, double d2, double power1, double tolerance = 1e-9);

// Rubinstein's closed form: shares of the unit pie when party 0 or party 1 proposes
// first, under the stationary subgame-perfect equilibrium.
struct Shares {
  double proposer = 0;
  double responder = 0;
};
Shares rubinstein_shares(double delta_proposer, double delta_responder);

// Party 1's Nash bargaining power that Rubinstein's game approaches as the time between
// offers vanishes: log delta2 / (log delta1 + log delta2).
double rubinstein_power(double delta1, double delta2);

// The same game cut at `rounds` >= 1 rounds (after the last rejection both get 0),
// solved by backward induction: the first proposer's share. It converges to
// rubinstein_shares(delta_first, delta_second).proposer as rounds grows, the gap
// shrinking by delta1 * delta2 every two rounds.
double rubinstein_finite(double delta_first, double delta_second, int rounds);

// Stationary strategies of alternating offers, indexed by party (0 or 1):
// offer[i] = the share party i offers the other when it proposes;
// accept[i] = the least share party i accepts when it responds.
struct Strategies {
  std::array<double, 2> offer{};
  std::array<double, 2> accept{};
};

// The subgame-perfect strategies: offer[i] = accept[j] = delta_j x_j.
Strategies rubinstein_strategies(double delta0, double delta1);

// Plays the game with the given strategies, `first` proposing in round 1, for at most
// `max_rounds` rounds. share = the undiscounted split agreed; payoff = share discounted
// to round 1 (delta_i^(round-1) * share_i).
struct Play {
  bool agreed = false;
  int round = 0;     // round of agreement (1-based), 0 if none
  int proposer = 0;  // who proposed the accepted offer
  std::array<double, 2> share{};
  std::array<double, 2> payoff{};
};
Play play_alternating_offers(double delta0, double delta1, const Strategies& strategies, int first = 0,
                             int max_rounds = 1000);

}  // namespace marketsim::bargaining
