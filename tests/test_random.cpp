// Random streams: addressed by (seed, tag, agent, round), independent across purposes,
// deterministic whatever the thread count.
#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "sim/random.hpp"
#include "sim/shuffle.hpp"

namespace ms = marketsim;

TEST(Random, SameAddressGivesSameNumbers) {
  ms::Stream a(42, 1, 7, 3), b(42, 1, 7, 3);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a(), b());
}

TEST(Random, EveryAddressComponentChangesTheStream) {
  auto first = [](std::uint64_t seed, std::uint32_t tag, std::uint32_t agent, std::uint32_t round) {
    ms::Stream s(seed, tag, agent, round);
    return s.next64();
  };
  std::set<std::uint64_t> seen = {first(1, 1, 1, 1), first(2, 1, 1, 1), first(1, 2, 1, 1), first(1, 1, 2, 1),
                                  first(1, 1, 1, 2), first(1ULL << 40, 1, 1, 1)};
  EXPECT_EQ(seen.size(), 6u);
}

TEST(Random, DrawingMoreForOnePurposeDoesNotShiftAnother) {
  ms::Stream exchange(9, 2, 0, 1);
  const auto expected = exchange.next64();
  ms::Stream shuffle(9, 1, 0, 1);
  for (int i = 0; i < 1000; ++i) shuffle();  // a regime that shuffles more
  ms::Stream exchange_again(9, 2, 0, 1);
  EXPECT_EQ(exchange_again.next64(), expected);
}

TEST(Random, StreamsAreUncorrelatedAcrossAgents) {
  // Correlation of the first uniform of neighbouring agents' streams.
  const int n = 20000;
  double sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < n; ++i) {
    double x = ms::Stream(5, 1, static_cast<std::uint32_t>(i), 0).uniform01();
    double y = ms::Stream(5, 1, static_cast<std::uint32_t>(i + 1), 0).uniform01();
    sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
  }
  double cov = sxy / n - sx / n * sy / n;
  double r = cov / std::sqrt((sxx / n - sx * sx / n / n) * (syy / n - sy * sy / n / n));
  EXPECT_LT(std::fabs(r), 4.0 / std::sqrt(n));  // |r| under 4 standard errors
  EXPECT_NEAR(sx / n, 0.5, 4 * std::sqrt(1.0 / 12 / n));
}

TEST(Random, BelowIsUniformAndInRange) {
  ms::Stream s(11, 3);
  const int k = 7, n = 70000;
  std::vector<int> counts(k, 0);
  for (int i = 0; i < n; ++i) {
    auto x = s.below(k);
    ASSERT_LT(x, static_cast<std::uint64_t>(k));
    ++counts[x];
  }
  double chi2 = 0;
  for (int c : counts) chi2 += (c - n / k) * (c - n / k) / static_cast<double>(n / k);
  EXPECT_LT(chi2, 22.46);  // chi-square, 6 degrees of freedom, p = 0.001
  EXPECT_EQ(s.below(1), 0u);
}

TEST(Random, BelowOnAnyWordSourceRejectsExactlyAsTheStreamDoes) {
  // n = 3 * 2^30: the low 32 bits of w * n are (3w mod 4) * 2^30, rejected when below
  // (2^32 - n) mod n = 2^30, i.e. when w = 0 mod 4.
  const std::uint64_t n = 3ULL << 30;
  std::vector<std::uint32_t> words = {0u, 4u, 0x9E3779B9u};  // w = 0 mod 4 is rejected: two rejections, then an accepted word
  std::size_t next = 0;
  auto source = [&] { return words.at(next++); };
  EXPECT_EQ(ms::uniform_below(source, n), (0x9E3779B9ULL * n) >> 32);
  EXPECT_EQ(next, 3u);
  // Above 2^32 two words (high first) make one 64-bit draw.
  std::vector<std::uint32_t> wide = {0x12345678u, 0x9ABCDEF0u};
  next = 0;
  words = wide;
  const std::uint64_t big = (1ULL << 40) + 7;
  const auto x = (std::uint64_t{0x12345678u} << 32) | 0x9ABCDEF0u;
  EXPECT_EQ(ms::uniform_below(source, big), static_cast<std::uint64_t>((static_cast<unsigned __int128>(x) * big) >> 64));
  // The stream's own below is the same algorithm on its words.
  ms::Stream a(5, 1, 2, 3), b(5, 1, 2, 3);
  for (std::uint64_t m : {std::uint64_t{1}, std::uint64_t{7}, n, big}) EXPECT_EQ(a.below(m), ms::uniform_below(b, m));
}

TEST(Random, BoostDistributionsAreDeterministic) {
  boost::random::normal_distribution<double> normal(1.0, 2.0);
  ms::Stream a(3, 4), b(3, 4);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    double x = normal(a);
    EXPECT_EQ(x, normal(b));
    sum += x;
  }
  EXPECT_NEAR(sum / 10000, 1.0, 0.1);
}

TEST(Random, SeedDerivation) {
  // Common random numbers: the same seed at every point of a replication.
  EXPECT_EQ(ms::derive_seed(7, 3, false, 0), ms::derive_seed(7, 3, false, 99));
  EXPECT_NE(ms::derive_seed(7, 3, false), ms::derive_seed(7, 4, false));
  EXPECT_NE(ms::derive_seed(7, 3, false), ms::derive_seed(8, 3, false));
  // Independent: differs across points too.
  EXPECT_NE(ms::derive_seed(7, 3, true, 0), ms::derive_seed(7, 3, true, 1));
  EXPECT_NE(ms::derive_seed(7, 3, true, 0), ms::derive_seed(7, 3, false, 0));
  EXPECT_NE(ms::derive_seed(7, 1ULL << 33, false), ms::derive_seed(7, 0, false));
}

namespace {
std::vector<std::uint32_t> permutation(std::uint32_t n, std::uint32_t round, int threads) {
  std::vector<std::uint32_t> out;
  tbb::task_arena arena(threads);
  arena.execute([&] { ms::Permuter().permute(123, 1, round, n, out); });
  return out;
}
}  // namespace

TEST(Shuffle, IsAPermutationIndependentOfThreads) {
  for (std::uint32_t n : {1u, 2u, 10u, 4096u, 4097u, 100000u}) {
    auto p1 = permutation(n, 5, 1), p2 = permutation(n, 5, 2);
    EXPECT_EQ(p1, p2) << n;
    std::vector<std::uint32_t> sorted(p1);
    std::sort(sorted.begin(), sorted.end());
    for (std::uint32_t i = 0; i < n; ++i) ASSERT_EQ(sorted[i], i);
  }
  EXPECT_NE(permutation(1000, 1, 1), permutation(1000, 2, 1));
}

TEST(Shuffle, SmallPermutationsAreEquallyLikely) {
  std::map<std::vector<std::uint32_t>, int> counts;
  const int n = 24000;
  ms::Permuter p;
  std::vector<std::uint32_t> out;
  for (int r = 0; r < n; ++r) {
    p.permute(99, 1, static_cast<std::uint32_t>(r), 4, out);
    ++counts[out];
  }
  ASSERT_EQ(counts.size(), 24u);
  double chi2 = 0;
  for (const auto& [perm, c] : counts) chi2 += (c - 1000.0) * (c - 1000.0) / 1000.0;
  EXPECT_LT(chi2, 49.73);  // 23 degrees of freedom, p = 0.001
}

TEST(Shuffle, BucketShuffleSpreadsItemsUniformly) {
  // Many buckets: where item 0 lands is uniform over the positions (in 10 bands).
  const std::uint32_t n = 20000;
  const int trials = 5000;
  std::vector<int> bands(10, 0);
  ms::Permuter p;
  std::vector<std::uint32_t> out;
  for (int r = 0; r < trials; ++r) {
    p.permute(7, 1, static_cast<std::uint32_t>(r), n, out);
    auto pos = std::find(out.begin(), out.end(), 0u) - out.begin();
    ++bands[static_cast<std::size_t>(pos) * 10 / n];
  }
  double chi2 = 0;
  for (int c : bands) chi2 += (c - 500.0) * (c - 500.0) / 500.0;
  EXPECT_LT(chi2, 27.88);  // 9 degrees of freedom, p = 0.001
}
