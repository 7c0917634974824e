#pragma once
// Uniform random permutations that are the same whatever the number of threads.
//
// Bucket shuffle: with B = 2^k buckets (the fewest that hold at most 4096 items on
// average), items draw uniform buckets, k bits each, from the words of the stream
// (tag, group, round), 4 * floor(32/k) items per group; items are scattered stably into
// buckets; each bucket is shuffled by Fisher-Yates (exact draws on 16-bit half-words)
// from the stream (tag, 2^31 + bucket, round). Every permutation has probability 1/n!:
// a permutation arises from exactly one bucket assignment per bucket size vector, with
// probability B^-n * prod_b 1/c_b!, and these sum to 1/n!. docs/reproducibility.md.
// Items must number fewer than 2^31.
#include <cstdint>
#include <vector>

namespace marketsim {

class Permuter {
 public:
  // Fills `out` with a uniform random permutation of 0..n-1 for this (seed, tag, round).
  void permute(std::uint64_t seed, std::uint32_t tag, std::uint32_t round, std::uint32_t n,
               std::vector<std::uint32_t>& out);

 private:
  std::vector<std::uint32_t> bucket_;
  std::vector<std::uint32_t> offsets_;
};

}  // namespace marketsim
