// Auction mechanism and bidder benchmarks. Figures and machine: docs/performance.md.
//
//   build/bench/marketsim_bench_auctions --benchmark_min_time=0.2
//   build/bench/marketsim_bench_auctions --benchmark_filter=Sealed
//
// Each auction runs on bids drawn beforehand (uniform on [0, 1]); the iterations cycle
// through a pool of bid arrays (about 64k bids in all, so they stay in cache) so that
// small auctions do not replay one branch pattern.
#include <benchmark/benchmark.h>

#include <vector>

#include "agents/bidders.hpp"
#include "markets/auctions.hpp"

namespace ms = marketsim;

namespace {

struct BidPool {
  std::vector<std::vector<double>> arrays;
  explicit BidPool(std::size_t n, std::uint32_t tag = 1) {
    const std::size_t count = std::max<std::size_t>(1, (std::size_t{1} << 16) / n);
    ms::Stream s(1, tag);
    arrays.resize(count, std::vector<double>(n));
    for (auto& a : arrays) ms::ValueDistribution::uniform().draw(s, a);
  }
  const std::vector<double>& operator[](std::size_t k) const { return arrays[k % arrays.size()]; }
};

// Times auction(k, ties) on the k-th pool entry and reports auctions and bids per second.
template <class Auction>
void time_auctions(benchmark::State& state, std::size_t n, Auction auction) {
  std::size_t k = 0;
  for (auto _ : state) {
    ms::Stream ties(1, 3, 0, static_cast<std::uint32_t>(k));
    auto o = auction(k++, ties);
    benchmark::DoNotOptimize(o);
  }
  const auto auctions = static_cast<double>(state.iterations());
  state.counters["auctions_per_s"] = benchmark::Counter(auctions, benchmark::Counter::kIsRate);
  state.counters["bids_per_s"] = benchmark::Counter(auctions * static_cast<double>(n), benchmark::Counter::kIsRate);
}

void Sealed(benchmark::State& state, ms::Pricing pricing) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const BidPool bids(n);
  const ms::AuctionRules rules{pricing, 0.0, 0.0};
  time_auctions(state, n, [&](std::size_t k, ms::Stream& ties) { return ms::sealed_bid_auction(bids[k], rules, ties); });
}

// The scoring variant (fundamental + bid), writing every bidder's payment.
void Scoring(benchmark::State& state, ms::Pricing pricing) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const BidPool bids(n), fundamentals(n, 2);
  std::vector<double> payments(n);
  const ms::AuctionRules rules{pricing, 0.0, 0.0};
  time_auctions(state, n, [&](std::size_t k, ms::Stream& ties) {
    return ms::scoring_auction(fundamentals[k], bids[k], rules, ties, payments);
  });
}

void Logit(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const BidPool bids(n), fundamentals(n, 2);
  const ms::AuctionRules rules{ms::Pricing::first_price, 0.0, 0.1};
  time_auctions(state, n, [&](std::size_t k, ms::Stream& ties) {
    return ms::scoring_auction(fundamentals[k], bids[k], rules, ties);
  });
}

void English(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const BidPool dropouts(n);
  const ms::ClockRules clock{0.0, 0.001};
  time_auctions(state, n, [&](std::size_t k, ms::Stream& ties) { return ms::english_auction(dropouts[k], clock, ties); });
}

// Equilibrium first-price bids (one quadrature each), per distribution.
void EquilibriumBids(benchmark::State& state, ms::ValueDistribution values) {
  const auto n = state.range(0);
  const ms::SymmetricEquilibrium eq(values, n);
  const BidPool pool(1000);
  std::vector<double> bids(1000);
  std::size_t k = 0;
  for (auto _ : state) {
    eq.first_price(pool[k++], bids);
    benchmark::DoNotOptimize(bids.data());
  }
  state.counters["bids_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()) * 1000, benchmark::Counter::kIsRate);
}

void Sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t n : {10, 1000, 100000}) b->Arg(n);
  b->ArgName("bidders");
}

}  // namespace

BENCHMARK_CAPTURE(Sealed, first_price, ms::Pricing::first_price)->Apply(Sizes);
BENCHMARK_CAPTURE(Sealed, second_price, ms::Pricing::second_price)->Apply(Sizes);
BENCHMARK_CAPTURE(Sealed, all_pay, ms::Pricing::all_pay)->Apply(Sizes);
BENCHMARK_CAPTURE(Scoring, first_price, ms::Pricing::first_price)->Apply(Sizes);
BENCHMARK_CAPTURE(Scoring, second_price, ms::Pricing::second_price)->Apply(Sizes);
BENCHMARK(Logit)->Apply(Sizes);
BENCHMARK(English)->Apply(Sizes);
BENCHMARK_CAPTURE(EquilibriumBids, uniform, ms::ValueDistribution::uniform())->Arg(5)->Arg(1000);
BENCHMARK_CAPTURE(EquilibriumBids, power, ms::ValueDistribution::power(0.5))->Arg(5)->Arg(1000);
BENCHMARK_CAPTURE(EquilibriumBids, truncated_normal, ms::ValueDistribution::truncated_normal(0.4, 0.3, 0, 1))->Arg(5)->Arg(1000);

BENCHMARK_MAIN();
