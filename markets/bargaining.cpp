#include "markets/bargaining.hpp"

#include <fmt/format.h>

#include <cmath>

#include "sim/error.hpp"

namespace marketsim::bargaining {
namespace {

void require_finite(double x, const char* what) {
  if (!std::isfinite(x)) throw Error(fmt::format("bargaining: {} must be finite, got {}", what, x));
}

void require_power(double a) {
  if (!(a >= 0.0 && a <= 1.0)) throw Error(fmt::format("bargaining: power1 must be in [0, 1], got {}", a));
}

void require_discount(double delta, const char* what) {
  if (!(delta > 0.0 && delta < 1.0))
    throw Error(fmt::format("bargaining: discount factor {} must be in (0, 1), got {}", what, delta));
}

NashOutcome no_deal(double d1, double d2) { return {false, d1, d2}; }

}  // namespace

NashOutcome nash_transferable(double surplus, double d1, double d2, double power1) {
  require_finite(surplus, "surplus");
  require_finite(d1, "d1");
  require_finite(d2, "d2");
  require_power(power1);
  const double gains = surplus - d1 - d2;
  if (gains < 0) return no_deal(d1, d2);
  const double u1 = d1 + power1 * gains;
  return {true, u1, surplus - u1};  // u1 + u2 == surplus exactly
}

NashOutcome nash_frontier(const std::function<double(double)>& frontier, double u1_min, double u1_max,
                          double d1, double d2, double power1, double tolerance) {
  require_finite(u1_min, "u1_min");
  require_finite(u1_max, "u1_max");
  require_finite(d1, "d1");
  require_finite(d2, "d2");
  require_power(power1);
  if (!frontier) throw Error("bargaining: the frontier function is empty");
  if (u1_min > u1_max) throw Error(fmt::format("bargaining: u1_min = {} exceeds u1_max = {}", u1_min, u1_max));
  if (!(tolerance > 0)) throw Error(fmt::format("bargaining: tolerance must be > 0, got {}", tolerance));
  auto f = [&](double u1) {
    const double u2 = frontier(u1);
    if (!std::isfinite(u2)) throw Error(fmt::format("bargaining: frontier({}) = {} is not finite", u1, u2));
    return u2;
  };

  // Individually rational interval [lo, hi]: u1 >= d1 and f(u1) >= d2 (f non-increasing).
  const double lo = std::fmax(u1_min, d1);
  if (lo > u1_max || f(lo) < d2) return no_deal(d1, d2);
  double hi = u1_max;
  if (f(hi) < d2) {  // bisection for the last u1 with f(u1) >= d2
    double good = lo, bad = hi;
    while (bad - good > tolerance) {
      const double mid = 0.5 * (good + bad);
      if (mid <= good || mid >= bad) break;  // the bracket cannot shrink further
      (f(mid) >= d2 ? good : bad) = mid;
    }
    hi = good;
  }
  if (power1 == 1.0) return {true, hi, f(hi)};
  if (power1 == 0.0 || hi <= lo) return {true, lo, f(lo)};

  // Golden section on the concave log Nash product (-inf where a gain is zero).
  auto objective = [&](double u1) {
    return power1 * std::log(u1 - d1) + (1.0 - power1) * std::log(f(u1) - d2);
  };
  const double inv_phi = (std::sqrt(5.0) - 1.0) / 2.0;
  double a = lo, b = hi;
  double c = b - inv_phi * (b - a), d = a + inv_phi * (b - a);
  double gc = objective(c), gd = objective(d);
  while (b - a > tolerance && a < c && c < d && d < b) {
    if (gc >= gd) {  // the maximum lies in [a, d]
      b = d, d = c, gd = gc;
      c = b - inv_phi * (b - a), gc = objective(c);
    } else {         // in [c, b]
      a = c, c = d, gc = gd;
      d = a + inv_phi * (b - a), gd = objective(d);
    }
  }
  const double u1 = 0.5 * (a + b);
  return {true, u1, f(u1)};
}

Shares rubinstein_shares(double delta_proposer, double delta_responder) {
  require_discount(delta_proposer, "delta_proposer");
  require_discount(delta_responder, "delta_responder");
  const double x = (1.0 - delta_responder) / (1.0 - delta_proposer * delta_responder);
  return {x, 1.0 - x};
}

double rubinstein_power(double delta1, double delta2) {
  require_discount(delta1, "delta1");
  require_discount(delta2, "delta2");
  return std::log(delta2) / (std::log(delta1) + std::log(delta2));
}

double rubinstein_finite(double delta_first, double delta_second, int rounds) {
  require_discount(delta_first, "delta_first");
  require_discount(delta_second, "delta_second");
  if (rounds < 1) throw Error(fmt::format("bargaining: rounds must be >= 1, got {}", rounds));
  // x_t = the round-t proposer's share; in the last round the proposer takes all (the
  // responder accepts 0, since rejecting also gives 0). Earlier, the proposer offers the
  // responder exactly what the responder would get by proposing next round, discounted.
  double x = 1.0;
  for (int t = rounds - 1; t >= 1; --t) {
    const double delta_responder = (t % 2 == 1) ? delta_second : delta_first;
    x = 1.0 - delta_responder * x;
  }
  return x;
}

Strategies rubinstein_strategies(double delta0, double delta1) {
  const double x0 = rubinstein_shares(delta0, delta1).proposer;
  const double x1 = rubinstein_shares(delta1, delta0).proposer;
  Strategies s;
  s.offer[0] = 1.0 - x0;  // = delta1 * x1: party 1's continuation value
  s.offer[1] = 1.0 - x1;  // = delta0 * x0
  // The same numbers, so that floating-point rounding never turns acceptance into a
  // rejection.
  s.accept[1] = s.offer[0];
  s.accept[0] = s.offer[1];
  return s;
}

Play play_alternating_offers(double delta0, double delta1, const Strategies& strategies, int first,
                             int max_rounds) {
  require_discount(delta0, "delta0");
  require_discount(delta1, "delta1");
  if (first != 0 && first != 1) throw Error(fmt::format("bargaining: first must be 0 or 1, got {}", first));
  if (max_rounds < 1) throw Error(fmt::format("bargaining: max_rounds must be >= 1, got {}", max_rounds));
  for (int i = 0; i < 2; ++i) {
    if (!(strategies.offer[i] >= 0.0 && strategies.offer[i] <= 1.0))
      throw Error(fmt::format("bargaining: offer[{}] must be a share in [0, 1], got {}", i, strategies.offer[i]));
    require_finite(strategies.accept[i], "accept threshold");
  }
  const std::array<double, 2> delta{delta0, delta1};
  Play play;
  std::array<double, 2> discount{1.0, 1.0};  // delta_i^(round-1)
  for (int round = 1, p = first; round <= max_rounds; ++round, p = 1 - p) {
    const int q = 1 - p;
    const double offer = strategies.offer[p];
    if (offer >= strategies.accept[q]) {
      play.agreed = true;
      play.round = round;
      play.proposer = p;
      play.share[q] = offer;
      play.share[p] = 1.0 - offer;
      for (int i = 0; i < 2; ++i) play.payoff[i] = discount[i] * play.share[i];
      return play;
    }
    for (int i = 0; i < 2; ++i) discount[i] *= delta[i];
  }
  return play;
}

}  // namespace marketsim::bargaining
