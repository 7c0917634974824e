#pragma once
// Counter-based random streams (Random123 Philox4x32-10).
//
// A stream is addressed, not advanced from a shared state: key = the run's 64-bit seed,
// counter = (purpose tag, agent, round, draw block). Every purpose of randomness in a
// scenario has its own fixed tag, so drawing more for one purpose never shifts the
// draws of another, and any agent's draws in any round can be produced by any thread
// in any order. `Stream` is a uniform random bit generator, so Boost.Random
// distributions (fixed algorithms, unlike std::) can consume it.
#include <Random123/philox.h>

#include <cstdint>

namespace marketsim {

class Stream {
 public:
  using result_type = std::uint32_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return 0xFFFFFFFFu; }

  Stream(std::uint64_t seed, std::uint32_t tag, std::uint32_t agent = 0, std::uint32_t round = 0)
      : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
        ctr_{{tag, agent, round, 0}} {}

  // Next 32 random bits.
  result_type operator()() {
    if (next_ == 4) refill();
    return out_.v[next_++];
  }

  std::uint64_t next64() {
    std::uint64_t hi = (*this)();
    return (hi << 32) | (*this)();
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(next64() >> 11) * 0x1.0p-53; }

  // Uniform integer on [0, n), n >= 1, exact (see uniform_below).
  std::uint64_t below(std::uint64_t n);

 private:
  void refill() {
    out_ = r123::Philox4x32()(ctr_, key_);
    ++ctr_.v[3];  // the draw block
    next_ = 0;
  }

  r123::Philox4x32::key_type key_;
  r123::Philox4x32::ctr_type ctr_;
  r123::Philox4x32::ctr_type out_{};
  int next_ = 4;
};

// Uniform integer on [0, n), n >= 1, exact, from any source of uniform 32-bit words
// (`words()` returns the next one): Lemire's multiply-shift with rejection, on one word
// when n <= 2^32 and on two (high word first) otherwise. A rejection, which draws again,
// has probability below n / 2^32 resp. n / 2^64.
template <class Words>
[[gnu::noinline]] std::uint64_t uniform_below_wide(Words& words, std::uint64_t n) {
  auto word64 = [&] {
    const std::uint64_t hi = words();
    return (hi << 32) | words();
  };
  unsigned __int128 m = static_cast<unsigned __int128>(word64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(word64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

template <class Words>
[[gnu::always_inline]] inline std::uint64_t uniform_below(Words& words, std::uint64_t n) {
  if (n > 0x100000000ULL) return uniform_below_wide(words, n);
  std::uint64_t m = static_cast<std::uint64_t>(words()) * n;
  auto low = static_cast<std::uint32_t>(m);
  if (low < n) [[unlikely]] {
    const auto threshold = static_cast<std::uint32_t>((0x100000000ULL - n) % n);
    while (low < threshold) {
      m = static_cast<std::uint64_t>(words()) * n;
      low = static_cast<std::uint32_t>(m);
    }
  }
  return m >> 32;
}

inline std::uint64_t Stream::below(std::uint64_t n) { return uniform_below(*this, n); }

// Engine-reserved tags live at the top of the tag space; scenarios use small tags.
inline constexpr std::uint32_t kSeedDerivationTag = 0xFFFFFF00u;
inline constexpr std::uint32_t kSamplingTag = 0xFFFFFF01u;

// The seed of one run of a sweep. Common random numbers (the default): the seed depends
// on (base seed, replication) only, the same at every sweep point, so regimes are
// compared on the same draws. Independent: on (base seed, point, replication).
inline std::uint64_t derive_seed(std::uint64_t base_seed, std::uint64_t replication, bool independent,
                                 std::uint64_t point = 0) {
  if (!independent) point = 0;
  const auto point_word = independent ? static_cast<std::uint32_t>(point) : 0xFFFFFFFFu;
  Stream s(base_seed, kSeedDerivationTag, point_word, static_cast<std::uint32_t>(replication));
  // Fold the high halves in so points or replications beyond 2^32 stay distinct.
  std::uint64_t x = s.next64();
  if ((point >> 32) || (replication >> 32)) {
    Stream t(x, kSeedDerivationTag, static_cast<std::uint32_t>(point >> 32),
             static_cast<std::uint32_t>(replication >> 32));
    x = t.next64();
  }
  return x;
}

}  // namespace marketsim
