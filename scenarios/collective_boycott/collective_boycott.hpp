#pragma once
// collective_boycott: the closed-form pieces of one season, in money per season.
// Model page (order of moves, equations, tests): docs/models/collective_boycott.md.
//
// A binding boycott of K pledgers threatens to sit out `games` games. The cartel and the
// boycott bargain over the raise paid to the K pledgers (generalised Nash bargaining with
// transferable utility, markets/bargaining.hpp): the cartel's threat point is -L, the
// revenue the boycotters would cost it, the boycott's is -E, what sitting out costs them.
// The raise to the pledgers is then T = a (L + E) - E, so each pledger's wage is
//   w* = min(ceiling, wage_cap + max(T, 0) / K),
// the ceiling being the competitive wage (neither side settles above the market).
// Divide and conquer (Segal 1999's "peeling away"): the cartel may instead pay side
// payments s = w* - wage_cap to pledgers to sign at the cap; each side deal is detected
// with probability d and then void (the college pays s as a fine to the pact). Breaking
// the boycott needs m = K - threshold + 1 defections, costing m s / (1 - d) in
// expectation, against K s for conceding: the cartel peels iff m < (1 - d) K. Under
// public disclosure the scenario passes d = 1 (a published side deal is always seen).
// Bad arguments throw marketsim::Error.
#include <cstdint>
#include <span>

namespace marketsim::boycott {

// The value of the marginal prospect over a season: min_i revenue_i * season_games.
double competitive_wage(std::span<const double> revenue_per_game, double season_games);

// w* above; K = pledgers >= 1, power a in [0, 1] is the boycott's bargaining power.
double bargained_wage(double revenue_at_stake, double sitting_out_cost, double power, std::int64_t pledgers,
                      double wage_cap, double ceiling);

// Expected cost m s / (1 - d) of peeling `needed` pledgers (+inf when d = 1 and needed > 0).
double expected_peel_cost(std::int64_t needed, double side_payment, double detect_prob);

}  // namespace marketsim::boycott
