#include "sim/shuffle.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>

#include "sim/random.hpp"

namespace marketsim {

namespace {
constexpr std::uint32_t kBucketSize = 4096;   // at most; about 16 KiB of indices, cache-resident while shuffled
constexpr std::uint32_t kScanBlock = 1 << 16; // items per counting block (a multiple of 4)
constexpr std::uint32_t kBucketStreams = 0x80000000u;
}  // namespace

void Permuter::permute(std::uint64_t seed, std::uint32_t tag, std::uint32_t round, std::uint32_t n,
                       std::vector<std::uint32_t>& out) {
  out.resize(n);
  // A power-of-two bucket count, so the top bits of a uniform word are a uniform bucket.
  std::uint32_t bucket_bits = 0;
  while ((std::uint64_t{kBucketSize} << bucket_bits) < n) ++bucket_bits;
  const std::uint32_t buckets = 1u << bucket_bits;
  auto shuffle_range = [&](std::uint32_t b, std::uint32_t begin, std::uint32_t end) {
    Stream s(seed, tag, kBucketStreams + b, round);
    for (std::uint32_t k = end - begin; k > 1; --k)
      std::swap(out[begin + k - 1], out[begin + static_cast<std::uint32_t>(s.below(k))]);
  };
  if (buckets == 1) {
    for (std::uint32_t i = 0; i < n; ++i) out[i] = i;
    shuffle_range(0, 0, n);
    return;
  }
  bucket_.resize(n);
  const std::uint32_t blocks = (n + kScanBlock - 1) / kScanBlock;
  offsets_.assign(static_cast<std::size_t>(blocks) * buckets, 0);
  // 1. Draw buckets (one Philox block serves items 4q..4q+3) and count them per block.
  tbb::parallel_for(std::uint32_t{0}, blocks, [&](std::uint32_t blk) {
    std::uint32_t* count = &offsets_[static_cast<std::size_t>(blk) * buckets];
    const std::uint32_t end = std::min(n, (blk + 1) * kScanBlock);
    for (std::uint32_t q = blk * kScanBlock; q < end; q += 4) {
      Stream s(seed, tag, q / 4, round);
      for (std::uint32_t i = q; i < std::min(q + 4, end); ++i) {
        const std::uint32_t b = s() >> (32 - bucket_bits);
        bucket_[i] = b;
        ++count[b];
      }
    }
  });
  // 2. Exclusive prefix over (bucket, block): where each block writes each bucket.
  std::vector<std::uint32_t> bucket_start(buckets + 1, 0);
  std::uint32_t running = 0;
  for (std::uint32_t b = 0; b < buckets; ++b) {
    bucket_start[b] = running;
    for (std::uint32_t blk = 0; blk < blocks; ++blk) {
      std::uint32_t& slot = offsets_[static_cast<std::size_t>(blk) * buckets + b];
      const std::uint32_t c = slot;
      slot = running;
      running += c;
    }
  }
  bucket_start[buckets] = n;
  // 3. Stable scatter.
  tbb::parallel_for(std::uint32_t{0}, blocks, [&](std::uint32_t blk) {
    std::uint32_t* next = &offsets_[static_cast<std::size_t>(blk) * buckets];
    const std::uint32_t end = std::min(n, (blk + 1) * kScanBlock);
    for (std::uint32_t i = blk * kScanBlock; i < end; ++i) out[next[bucket_[i]]++] = i;
  });
  // 4. Shuffle each bucket.
  tbb::parallel_for(std::uint32_t{0}, buckets,
                    [&](std::uint32_t b) { shuffle_range(b, bucket_start[b], bucket_start[b + 1]); });
}

}  // namespace marketsim
