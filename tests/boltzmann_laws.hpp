#pragma once
// Reference laws for the `boltzmann_wealth` scenario; the derivations are in
// docs/models/boltzmann_wealth.md. Header-only, std only, double precision.
//
//   (a) random_split, saving 0, any schedule: exponential law, Gini 1/2.
//   (b) unit, matching: uniform measure on compositions, Bose-Einstein marginal,
//       geometric as N -> infinity, Gini (1+m)/(1+2m).
//   (c) unit, sequential: mean-field (N -> infinity) stationary law, solved numerically.
//   (d) random_split, saving > 0: Patriarca-Chakraborti-Kaski Gamma fit (approximate).
//
// Laws on money are pmfs on k = 0, 1, 2, ... units (index = number of units).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace marketsim::laws {

// ---- (a) Boltzmann-Gibbs exponential law ---------------------------------------------

inline double gini_exponential() { return 0.5; }

// ---- (d) Gamma law -------------------------------------------------------------------

// Gini of a Gamma law with shape n (any scale): Gamma(n + 1/2) / (n Gamma(n) sqrt(pi)).
inline double gini_gamma(double shape) {
  if (!(shape > 0)) throw std::invalid_argument("gini_gamma: shape must be > 0");
  return std::exp(std::lgamma(shape + 0.5) - std::lgamma(shape)) /
         (shape * std::sqrt(std::numbers::pi));
}

// Patriarca, Chakraborti & Kaski (2004) fit: shape n = 1 + 3 lambda / (1 - lambda).
// An empirical fit to the saving-propensity model, not an exact result.
inline double patriarca_shape(double saving) {
  if (!(saving >= 0 && saving < 1)) throw std::invalid_argument("patriarca_shape: saving must be in [0, 1)");
  return 1.0 + 3.0 * saving / (1.0 - saving);
}

// ---- Gini of a law on k = 0, 1, 2, ... -----------------------------------------------

// G = sum_j sum_k p_j p_k |j - k| / (2 mean) for X, Y iid ~ p (the population Gini).
// Uses E|X - Y| = 2 sum_k F(k) (1 - F(k)) for integer-valued laws: O(K), no cancellation.
// p is renormalised to sum 1 (so a truncated pmf can be passed as is).
inline double gini_of_distribution(const std::vector<double>& p) {
  double total = 0, first = 0;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (!(p[k] >= 0)) throw std::invalid_argument("gini_of_distribution: negative or NaN mass");
    total += p[k];
    first += static_cast<double>(k) * p[k];
  }
  if (!(total > 0) || !(first > 0)) throw std::invalid_argument("gini_of_distribution: zero mass or zero mean");
  const double mean = first / total;
  double cum = 0, emd = 0;  // emd = E|X - Y| / 2
  for (std::size_t k = 0; k + 1 < p.size(); ++k) {
    cum += p[k];
    const double F = cum / total;
    emd += F * (1.0 - F);
  }
  return emd / mean;
}

inline double mean_of_distribution(const std::vector<double>& p) {
  double total = 0, first = 0;
  for (std::size_t k = 0; k < p.size(); ++k) {
    total += p[k];
    first += static_cast<double>(k) * p[k];
  }
  return first / total;
}

// ---- (b) unit rule, matching schedule ------------------------------------------------

// One-agent marginal of the uniform law on compositions of M = total_units units into
// N = agents agents: P(k) = C(M - k + N - 2, N - 2) / C(M + N - 1, N - 1), k = 0..M.
// Computed in log space with lgamma, then renormalised (removes lgamma rounding).
inline std::vector<double> bose_einstein_marginal(std::int64_t total_units, std::int64_t agents) {
  if (agents < 2) throw std::invalid_argument("bose_einstein_marginal: agents must be >= 2");
  if (total_units < 0) throw std::invalid_argument("bose_einstein_marginal: total_units must be >= 0");
  const double M = static_cast<double>(total_units), N = static_cast<double>(agents);
  auto log_choose = [](double a, double b) {
    return std::lgamma(a + 1) - std::lgamma(b + 1) - std::lgamma(a - b + 1);
  };
  const double log_norm = log_choose(M + N - 1, N - 1);
  std::vector<double> p(static_cast<std::size_t>(total_units) + 1);
  double sum = 0;
  for (std::int64_t k = 0; k <= total_units; ++k) {
    const double v = std::exp(log_choose(M - static_cast<double>(k) + N - 2, N - 2) - log_norm);
    p[static_cast<std::size_t>(k)] = v;
    sum += v;
  }
  for (auto& v : p) v /= sum;
  return p;
}

// N -> infinity limit of the above: geometric P(k) = (1 - q) q^k, q = mean / (1 + mean);
// Gini = 1 / (1 + q) = (1 + mean) / (1 + 2 mean).
inline double gini_geometric(double mean) {
  if (!(mean > 0)) throw std::invalid_argument("gini_geometric: mean must be > 0");
  return (1.0 + mean) / (1.0 + 2.0 * mean);
}

// ---- (c) unit rule, sequential schedule: mean-field law ------------------------------

namespace detail {

// Gauss-Legendre nodes and weights on [0, 1].
inline void gauss_legendre01(int n, std::vector<double>& x, std::vector<double>& w) {
  const auto un = static_cast<std::size_t>(n);
  x.assign(un, 0.0);
  w.assign(un, 0.0);
  auto legendre = [n](double z, double& pn, double& dpn) {
    double p1 = 1, p2 = 0;
    for (int j = 1; j <= n; ++j) {
      const double p3 = p2;
      p2 = p1;
      p1 = ((2.0 * j - 1.0) * z * p2 - (j - 1.0) * p3) / j;
    }
    pn = p1;
    dpn = n * (z * p1 - p2) / (z * z - 1.0);
  };
  for (int i = 0; i < (n + 1) / 2; ++i) {
    double z = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5)), pn = 0, dpn = 0;
    for (int it = 0; it < 100; ++it) {
      legendre(z, pn, dpn);
      const double dz = pn / dpn;
      z -= dz;
      if (std::abs(dz) < 1e-16) break;
    }
    legendre(z, pn, dpn);
    const double wt = 1.0 / ((1.0 - z * z) * dpn * dpn);  // 2/((1-z^2)P'^2), halved for [0,1]
    const auto lo = static_cast<std::size_t>(i), hi = un - 1 - lo;
    x[lo] = 0.5 * (1.0 - z);
    x[hi] = 0.5 * (1.0 + z);
    w[lo] = w[hi] = wt;
  }
}

// Stationary pmf (k = 0..K) of the linear one-agent round kernel of the mean-field
// sequential unit model with parameter p (the probability of holding 0 at the start of a
// round, which fixes the giving intensity g(s) = 1 - p e^{-Lambda(s)}, Lambda(s) =
// ln(p + (1 - p) e^s)). Skip-free to the left (an agent loses at most one unit per round),
// so the level-crossing recursion (all terms positive, numerically stable) gives it:
//   pi_k a_0 = pi_0 B_k + sum_{j=1}^{k-1} pi_j A_{k-j+1},
// A_n = P(Poisson(L) >= n), B_k = P(m' >= k | m = 0) = A_{k+1} + q_k,
// q_k = e^{-L} int_0^1 D(u)^k / k! du, D(u) = L - Lambda(u), L = Lambda(1).
// The stationary pi_0 equals p (mean balance), which the caller can check.
inline std::vector<double> sequential_unit_given_p(double p, std::size_t K) {
  const double L = std::log(p + (1.0 - p) * std::numbers::e);
  constexpr std::size_t kPoisson = 90;  // L <= 1: P(Poisson >= 90) < 1e-138, negligible
  std::vector<double> a(kPoisson + 1), A(kPoisson + 2, 0.0);
  a[0] = std::exp(-L);
  for (std::size_t n = 1; n <= kPoisson; ++n) a[n] = a[n - 1] * L / static_cast<double>(n);
  for (std::size_t n = kPoisson + 1; n-- > 0;) A[n] = A[n + 1] + a[n];  // tails summed small-to-large

  std::vector<double> xs, ws;
  gauss_legendre01(64, xs, ws);
  std::vector<double> D(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i)
    D[i] = L - std::log(p + (1.0 - p) * std::exp(xs[i]));
  std::vector<double> q(kPoisson + 1, 0.0);
  {
    std::vector<double> term(xs.size(), std::exp(-L));  // e^{-L} D^k / k!
    for (std::size_t k = 0; k <= kPoisson; ++k) {
      double s = 0;
      for (std::size_t i = 0; i < xs.size(); ++i) {
        s += ws[i] * term[i];
        term[i] *= D[i] / static_cast<double>(k + 1);
      }
      q[k] = s;
    }
  }
  auto Atail = [&](std::size_t n) { return n < A.size() ? A[n] : 0.0; };
  auto Btail = [&](std::size_t k) { return Atail(k + 1) + (k < q.size() ? q[k] : 0.0); };

  std::vector<double> pi(K + 1, 0.0);
  pi[0] = 1.0;
  for (std::size_t k = 1; k <= K; ++k) {
    double s = pi[0] * Btail(k);
    const std::size_t jlo = (k > kPoisson) ? k - kPoisson : 1;
    for (std::size_t j = jlo; j + 1 <= k; ++j) s += pi[j] * Atail(k - j + 1);
    pi[k] = s / a[0];
  }
  double sum = 0;
  for (double v : pi) sum += v;
  for (auto& v : pi) v /= sum;
  return pi;
}

}  // namespace detail

// Mean-field (N -> infinity) stationary pmf of `rule = unit`, `schedule = sequential`
// with mean holding `mean` (units). Support truncated at K = 40 mean + 50 units (the tail
// beyond is far below double precision). The one-parameter family of stationary laws is
// indexed by p = pi_0; p is found by bisection so that the law's mean equals `mean` to a
// relative tolerance `tol`.
inline std::vector<double> sequential_unit_meanfield(double mean, double tol = 1e-12) {
  if (!(mean > 0)) throw std::invalid_argument("sequential_unit_meanfield: mean must be > 0");
  const auto K = static_cast<std::size_t>(std::ceil(40.0 * mean + 50.0));
  double lo = 0.0, hi = 1.0;  // mean(p) decreases from infinity (p -> 0) to 0 (p -> 1)
  std::vector<double> pi;
  for (int it = 0; it < 200; ++it) {
    const double p = 0.5 * (lo + hi);
    pi = detail::sequential_unit_given_p(p, K);
    const double m = mean_of_distribution(pi);
    if (std::abs(m - mean) <= tol * mean) return pi;
    (m > mean ? lo : hi) = p;
    if (!(0.5 * (lo + hi) > lo && 0.5 * (lo + hi) < hi)) break;  // p at double resolution
  }
  return pi;
}

inline double gini_sequential_unit_meanfield(double mean) {
  return gini_of_distribution(sequential_unit_meanfield(mean));
}

}  // namespace marketsim::laws
