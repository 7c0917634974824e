#include "sim/shuffle.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>

#include "sim/random.hpp"

namespace marketsim {

namespace {
constexpr std::uint32_t kBucketSize = 4096;   // at most; about 16 KiB of indices, cache-resident while shuffled
constexpr std::uint32_t kScanGroups = 4096;   // Philox blocks per counting block
constexpr std::uint32_t kBucketStreams = 0x80000000u;

// 16-bit halves of a stream's words (low half first): the Fisher-Yates bounds within a
// bucket are small, so one Philox call serves eight swaps instead of four.
class HalfWords {
 public:
  explicit HalfWords(Stream s) : stream_(s) {}
  std::uint32_t operator()() {
    if (have_half_) {
      have_half_ = false;
      return word_ >> 16;
    }
    word_ = stream_();
    have_half_ = true;
    return word_ & 0xFFFFu;
  }

 private:
  Stream stream_;
  std::uint32_t word_ = 0;
  bool have_half_ = false;
};

// Uniform on [0, k), 1 <= k <= 2^16, exact: Lemire's multiply-shift on 16-bit words.
std::uint32_t below16(HalfWords& half, std::uint32_t k) {
  std::uint32_t m = half() * k;
  if ((m & 0xFFFFu) < k) {
    const std::uint32_t threshold = (0x10000u - k) % k;
    while ((m & 0xFFFFu) < threshold) m = half() * k;
  }
  return m >> 16;
}
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
    std::uint32_t k = end - begin;
    // A bucket larger than 2^16 is possible but astronomically rare: 32-bit draws there.
    for (; k > 0x10000u; --k) std::swap(out[begin + k - 1], out[begin + static_cast<std::uint32_t>(s.below(k))]);
    HalfWords half(s);
    for (; k > 1; --k) std::swap(out[begin + k - 1], out[begin + below16(half, k)]);
  };
  if (buckets == 1) {
    for (std::uint32_t i = 0; i < n; ++i) out[i] = i;
    shuffle_range(0, 0, n);
    return;
  }
  bucket_.resize(n);
  // One 32-bit word gives floor(32 / k) buckets (from its top bits down), one Philox
  // call four words: per_group items.
  const std::uint32_t per_word = 32 / bucket_bits;
  const std::uint32_t per_group = 4 * per_word;
  const std::uint32_t scan_block = per_group * kScanGroups;
  const std::uint32_t blocks = static_cast<std::uint32_t>((std::uint64_t{n} + scan_block - 1) / scan_block);
  offsets_.assign(static_cast<std::size_t>(blocks) * buckets, 0);
  // 1. Draw buckets (group g, one Philox call, serves items g*per_group ...) and count
  //    them per block.
  tbb::parallel_for(std::uint32_t{0}, blocks, [&](std::uint32_t blk) {
    std::uint32_t* count = &offsets_[static_cast<std::size_t>(blk) * buckets];
    const std::uint32_t begin = blk * scan_block;
    const std::uint32_t end = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, std::uint64_t{begin} + scan_block));
    for (std::uint32_t q = begin; q < end; q += per_group) {
      Stream s(seed, tag, q / per_group, round);
      std::uint32_t i = q;
      for (int w = 0; w < 4 && i < end; ++w) {
        std::uint32_t word = s();
        for (std::uint32_t u = 0; u < per_word && i < end; ++u, ++i, word <<= bucket_bits) {
          const std::uint32_t b = word >> (32 - bucket_bits);
          bucket_[i] = b;
          ++count[b];
        }
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
    const std::uint32_t begin = blk * scan_block;
    const std::uint32_t end = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, std::uint64_t{begin} + scan_block));
    for (std::uint32_t i = begin; i < end; ++i) out[next[bucket_[i]]++] = i;
  });
  // 4. Shuffle each bucket.
  tbb::parallel_for(std::uint32_t{0}, buckets,
                    [&](std::uint32_t b) { shuffle_range(b, bucket_start[b], bucket_start[b + 1]); });
}

}  // namespace marketsim
