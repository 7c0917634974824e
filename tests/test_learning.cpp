// Learning rules (agents/learning.hpp): Roth-Erev reinforcement and fictitious play on
// hand-computed updates and classic games (docs/mechanisms.md#learning-rules).
#include <gtest/gtest.h>

#include <tbb/task_arena.h>

#include <array>
#include <cmath>
#include <numeric>
#include <vector>

#include "agents/learning.hpp"
#include "sim/error.hpp"
#include "sim/random.hpp"

namespace lr = marketsim::learning;
using marketsim::Error;
using marketsim::Stream;

namespace {

std::vector<double> row(const lr::RothErev& re, std::size_t agent) {
  auto q = re.propensities(agent);
  return {q.begin(), q.end()};
}

}  // namespace

TEST(Learning, RothErevBasicUpdateIsExact) {
  // phi = 0, eps = 0: the chosen action's propensity grows by the reward, nothing else moves.
  lr::RothErev re(2, 3, {.recency = 0.0, .experimentation = 0.0, .initial = 1.0});
  re.update(0, 0, 3.0);
  EXPECT_EQ(row(re, 0), (std::vector<double>{4, 1, 1}));
  re.update(0, 2, 2.0);
  EXPECT_EQ(row(re, 0), (std::vector<double>{4, 1, 3}));
  re.update(0, 0, 0.5);
  EXPECT_EQ(row(re, 0), (std::vector<double>{4.5, 1, 3}));
  EXPECT_EQ(re.probability(0, 0), 4.5 / 8.5);
  EXPECT_EQ(row(re, 1), (std::vector<double>{1, 1, 1}));  // other agents untouched
}

TEST(Learning, RothErevRecencyAndExperimentationAreExact) {
  // phi = 1/2, eps = 1/2 on three ordered actions, hand-computed.
  lr::RothErev local(1, 3, {.recency = 0.5, .experimentation = 0.5, .initial = 1.0});
  local.update(0, 1, 4.0);  // (0.5 each) + 2 to the chosen, 1 to each neighbour
  EXPECT_EQ(row(local, 0), (std::vector<double>{1.5, 2.5, 1.5}));
  local.update(0, 0, 2.0);  // (0.75, 1.25, 0.75) + 1 to the chosen, all of eps R = 1 to its one neighbour
  EXPECT_EQ(row(local, 0), (std::vector<double>{1.75, 2.25, 0.75}));
  lr::RothErev uniform(1, 3, {.recency = 0.5, .experimentation = 0.5, .initial = 1.0, .spread = lr::Spread::uniform});
  uniform.update(0, 1, 4.0);
  EXPECT_EQ(row(uniform, 0), (std::vector<double>{1.5, 2.5, 1.5}));
  uniform.update(0, 0, 2.0);  // 0.5 to each of the two others
  EXPECT_EQ(row(uniform, 0), (std::vector<double>{1.75, 1.75, 1.25}));
  // Interior choice on a longer grid reaches the neighbours only.
  lr::RothErev five(1, 5, {.recency = 0.0, .experimentation = 0.5, .initial = 0.0});
  five.update(0, 2, 4.0);
  EXPECT_EQ(row(five, 0), (std::vector<double>{0, 1, 2, 1, 0}));
  // The floor catches negative reinforcement.
  lr::RothErev floored(1, 2, {.recency = 0.0, .experimentation = 0.0, .initial = 1.0, .floor = 0.25});
  floored.update(0, 0, -10.0);
  EXPECT_EQ(row(floored, 0), (std::vector<double>{0.25, 1.0}));
}

TEST(Learning, RothErevChoiceFollowsPropensities) {
  lr::RothErev re(1, 3, {});
  const std::array<double, 3> q{1.0, 3.0, 0.0};
  re.set_propensities(0, q);
  std::array<int, 3> hits{};
  const int draws = 40000;
  for (int k = 0; k < draws; ++k) {
    Stream s(5, 1, 0, static_cast<std::uint32_t>(k));
    ++hits[re.choose(0, s)];
  }
  EXPECT_EQ(hits[2], 0);                            // zero propensity, never chosen
  EXPECT_NEAR(hits[1] / double(draws), 0.75, 0.01);  // 4.6 standard errors
}

TEST(Learning, RothErevConcentratesOnTheBetterArm) {
  // Two-armed bandit with known payoffs 1 and 2; 400 independent learners.
  const std::size_t n = 400;
  const std::array<double, 2> payoff{1.0, 2.0};
  lr::RothErev re(n, 2, {.recency = 0.05, .experimentation = 0.05, .initial = 1.0});
  std::vector<std::uint32_t> actions(n);
  std::vector<double> rewards(n);
  for (std::uint32_t t = 0; t < 400; ++t) {
    re.choose_all(17, 1, t, actions);
    for (std::size_t i = 0; i < n; ++i) rewards[i] = payoff[actions[i]];
    re.update_all(actions, rewards);
  }
  double mean = 0;
  std::size_t majority = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mean += re.probability(i, 1) / n;
    majority += re.probability(i, 1) > 0.5;
  }
  EXPECT_GT(mean, 0.85);
  EXPECT_GT(majority, 0.9 * n);
}

TEST(Learning, DrawsAreBitIdenticalForASeedAtAnyThreadCount) {
  const std::size_t n = 5000;
  auto run = [&](int threads, std::uint64_t seed) {
    lr::RothErev re(n, 7, {.recency = 0.1, .experimentation = 0.2});
    std::vector<std::uint32_t> a(n);
    std::vector<double> r(n);
    tbb::task_arena arena(threads);
    arena.execute([&] {
      for (std::uint32_t t = 0; t < 20; ++t) {
        re.choose_all(seed, 3, t, a);
        for (std::size_t i = 0; i < n; ++i) r[i] = std::sin(double(a[i]) + double(i % 13));
        re.update_all(a, r);
      }
    });
    std::vector<double> q;
    for (std::size_t i = 0; i < n; ++i) {
      auto p = re.propensities(i);
      q.insert(q.end(), p.begin(), p.end());
    }
    return std::pair{a, q};
  };
  const auto one = run(1, 9), two = run(2, 9);
  EXPECT_EQ(one.first, two.first);
  EXPECT_EQ(one.second, two.second);  // exact equality of doubles
  EXPECT_NE(run(1, 10).first, one.first);
}

TEST(Learning, TiesAreBrokenUniformly) {
  const std::vector<double> v{1.0, 3.0, 3.0, 0.0, 3.0 + 1e-15};
  std::array<int, 5> hits{};
  for (std::uint32_t k = 0; k < 30000; ++k) {
    Stream s(2, 4, 0, k);
    ++hits[lr::argmax_random_tie(v, s)];
  }
  EXPECT_EQ(hits[0] + hits[3], 0);
  for (int a : {1, 2, 4}) EXPECT_NEAR(hits[a] / 30000.0, 1.0 / 3.0, 0.015) << a;
  Stream s(1, 1);
  EXPECT_EQ(lr::argmax_random_tie(std::vector<double>{0.0, 2.0, 1.0}, s), 1u);
}

namespace {

// Two players; agent i observes the other's action. Returns the empirical frequency
// of each action of each player over the rounds, and the last actions.
template <class Payoff>
std::pair<std::array<std::vector<double>, 2>, std::array<std::uint32_t, 2>> play_fictitious(
    std::size_t actions, Payoff&& payoff, int rounds, std::uint64_t seed) {
  lr::FictitiousPlay fp(2, actions, actions, 1.0);
  std::array<std::vector<double>, 2> freq{std::vector<double>(actions), std::vector<double>(actions)};
  std::vector<std::uint32_t> a(2), seen(2);
  for (int t = 0; t < rounds; ++t) {
    fp.best_responses(seed, 1, static_cast<std::uint32_t>(t), payoff, a);
    for (int i = 0; i < 2; ++i) freq[i][a[i]] += 1.0 / rounds;
    seen = {a[1], a[0]};
    fp.observe_all(seen);
  }
  return {freq, {a[0], a[1]}};
}

}  // namespace

TEST(Learning, FictitiousPlayConvergesToMixedEquilibriumInMatchingPennies) {
  // Player 0 wins on a match, player 1 on a mismatch: the unique equilibrium is (1/2, 1/2),
  // and empirical frequencies of fictitious play converge to it (Robinson 1951).
  auto pennies = [](std::size_t i, std::uint32_t a, std::uint32_t m) {
    const double match = a == m ? 1.0 : -1.0;
    return i == 0 ? match : -match;
  };
  for (std::uint64_t seed : {1, 2, 3}) {
    auto [freq, last] = play_fictitious(2, pennies, 20000, seed);
    for (int i = 0; i < 2; ++i) EXPECT_NEAR(freq[i][0], 0.5, 0.02) << "seed " << seed << " player " << i;
  }
}

TEST(Learning, FictitiousPlayReachesTheDominanceSolvableEquilibrium) {
  // Rows T, M, B (player 0) and columns L, C, R (player 1). M is dominated by T and R by
  // L; then C by L; then B by T: iterated strict dominance leaves (T, L).
  const double row[3][3] = {{4, 1, 3}, {3, 0, 2}, {2, 5, 1}};     // row[r][c]
  const double col[3][3] = {{3, 0, 2}, {2, 4, 1}, {1, -1, 0}};    // col[c][r]
  auto game = [&](std::size_t i, std::uint32_t a, std::uint32_t m) { return i == 0 ? row[a][m] : col[a][m]; };
  for (std::uint64_t seed : {1, 2}) {
    auto [freq, last] = play_fictitious(3, game, 2000, seed);
    EXPECT_EQ(last[0], 0u);
    EXPECT_EQ(last[1], 0u);
    EXPECT_GT(freq[0][0], 0.95);
    EXPECT_GT(freq[1][0], 0.95);
  }
}

TEST(Learning, FictitiousPlayBeliefsAreEmpiricalFrequencies) {
  lr::FictitiousPlay fp(1, 2, 4, 0.0);
  EXPECT_EQ(fp.belief(0, 3), 0.25);  // nothing seen: uniform
  for (std::uint32_t m : {0u, 2u, 2u, 3u}) fp.observe(0, m);
  EXPECT_EQ(fp.belief(0, 2), 0.5);
  EXPECT_EQ(fp.belief(0, 1), 0.0);
  std::vector<double> eu(2);
  fp.expected_payoffs(0, [](std::uint32_t a, std::uint32_t m) { return a == 0 ? double(m) : 1.5; }, eu);
  EXPECT_EQ(eu[0], (0 + 2 + 2 + 3) / 4.0);
  EXPECT_EQ(eu[1], 1.5);
  Stream s(3, 1);
  EXPECT_EQ(fp.best_response(0, [](std::uint32_t a, std::uint32_t m) { return a == 0 ? double(m) : 1.5; }, s), 0u);
}

TEST(Learning, BadArgumentsThrow) {
  EXPECT_THROW(lr::RothErev(10, 0), Error);  // empty action grid
  EXPECT_THROW(lr::RothErev(0, 3), Error);
  EXPECT_THROW(lr::RothErev(1, 3, {.recency = 1.5}), Error);
  EXPECT_THROW(lr::RothErev(1, 3, {.experimentation = -0.1}), Error);
  EXPECT_THROW(lr::RothErev(1, 3, {.initial = -1.0}), Error);
  EXPECT_THROW(lr::RothErev(1, 3, {.floor = NAN}), Error);
  lr::RothErev re(2, 3);
  EXPECT_THROW(re.update(0, 3, 1.0), Error);
  EXPECT_THROW(re.update(2, 0, 1.0), Error);
  EXPECT_THROW(re.update(0, 0, INFINITY), Error);
  EXPECT_THROW(re.set_propensities(0, std::vector<double>{1.0, -1.0, 1.0}), Error);
  std::vector<std::uint32_t> too_few(1);
  EXPECT_THROW(re.choose_all(1, 1, 0, too_few), Error);
  EXPECT_THROW(lr::FictitiousPlay(1, 0, 2), Error);
  EXPECT_THROW(lr::FictitiousPlay(1, 2, 0), Error);
  EXPECT_THROW(lr::FictitiousPlay(1, 2, 2, -1.0), Error);
  lr::FictitiousPlay fp(1, 2, 2);
  EXPECT_THROW(fp.observe(0, 2), Error);
  EXPECT_THROW(fp.observe(0, 0, -1.0), Error);
  Stream s(1, 1);
  EXPECT_THROW(lr::argmax_random_tie(std::vector<double>{}, s), Error);
  EXPECT_THROW(lr::argmax_random_tie(std::vector<double>{1.0, NAN}, s), Error);
  try {
    lr::RothErev(4, 0);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("action grid is empty"), std::string::npos) << e.what();
  }
}
