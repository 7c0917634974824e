#pragma once
// A proposer learning what one responder accepts, by a staircase with memory: a platform
// probing the smallest share a supplier accepts, a seller probing the highest price a buyer
// pays. Terms are oriented so that the proposer prefers LOWER values (a seller works on
// minus its price); the caller clamps offers to its own bounds.
//
// State: `accepted`, the best (lowest) term accepted so far (+inf: none yet, or demands
// have risen past it); `refused`, the worst (highest) term refused (-inf: none), which
// fades by `forget` a round so the proposer probes again after a while. Rules:
//   next offer  accepted - step   if accepted is known and accepted - step > refused + step
//                                 (a probe, once the last refusal there has faded by a step)
//               accepted          if it is known otherwise
//               refused + step    if only a refusal is known
//               initial           before anything is known (e.g. a noisy estimate)
//   learning    refused -= forget every round; accepted at x: accepted = min(accepted, x);
//               refused at x: refused = max(refused, x), and if x >= accepted (a term that
//               used to be accepted is refused: demands rose) accepted = +inf.
// So offers settle at the responder's reservation to within a step, with one failed probe
// every step / forget + 1 rounds (the refusal one step below must fade by a step), and
// follow a reservation that moves.
// Bad arguments (negative or non-finite step or forget) throw marketsim::Error.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "sim/error.hpp"

namespace marketsim {

struct Staircase {
  double accepted = std::numeric_limits<double>::infinity();
  double refused = -std::numeric_limits<double>::infinity();
  double initial = 0;
};

inline double next_offer(const Staircase& s, double step) {
  if (!(step >= 0) || !std::isfinite(step)) throw Error(fmt::format("staircase: step must be finite and >= 0, got {}", step));
  if (std::isfinite(s.accepted)) return s.accepted - step > s.refused + step ? s.accepted - step : s.accepted;
  if (std::isfinite(s.refused)) return s.refused + step;
  return s.initial;
}

inline void learn(Staircase& s, double offer, bool accepted, double forget) {
  if (!(forget >= 0) || !std::isfinite(forget))
    throw Error(fmt::format("staircase: forget must be finite and >= 0, got {}", forget));
  s.refused -= forget;  // old refusals fade: the proposer probes again
  if (accepted) {
    s.accepted = std::min(s.accepted, offer);
    return;
  }
  s.refused = std::max(s.refused, offer);
  if (offer >= s.accepted) s.accepted = std::numeric_limits<double>::infinity();  // demands rose past it
}

}  // namespace marketsim
