// Double auction benchmarks: orders per second through the book (both rule sets) and
// zi_double_auction periods per second. Figures and machine: docs/performance.md.
//
//   build/bench/marketsim_bench_double_auction --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <vector>

#include "markets/double_auction.hpp"
#include "scenarios/zi_double_auction/zi_double_auction.hpp"
#include "sim/random.hpp"

namespace ms = marketsim;
using ms::markets::AuctionRules;
using ms::markets::DoubleAuction;
using ms::markets::OrderId;
using ms::markets::Side;

namespace {

// A pre-drawn order flow, so the timing is the book's and not the random draws'.
struct Flow {
  std::vector<Side> side;
  std::vector<double> price;
  std::vector<std::int64_t> quantity;
  std::vector<std::uint32_t> pick;  // which live order to cancel
};

constexpr std::size_t kFlow = 1 << 16;

// Limit orders at whole ticks within +-`spread` of 1000, 1..`max_quantity` units.
Flow make_flow(std::uint32_t spread, std::uint32_t max_quantity) {
  Flow f;
  ms::Stream s(1, 1);
  for (std::size_t k = 0; k < kFlow; ++k) {
    f.side.push_back(s.below(2) ? Side::buy : Side::sell);
    f.price.push_back(1000.0 - spread + static_cast<double>(s.below(2 * spread + 1)));
    f.quantity.push_back(static_cast<std::int64_t>(1 + s.below(max_quantity)));
    f.pick.push_back(s());
  }
  return f;
}

// Full book: random limit orders for 1-5 units within +-20 ticks of the middle; when
// more than `depth` orders stand, one of them (at random) is cancelled, so the book
// holds about `depth` orders over ~40 price levels.
void PriceTime(benchmark::State& state) {
  const auto depth = static_cast<std::size_t>(state.range(0));
  const Flow f = make_flow(20, 5);
  DoubleAuction book(AuctionRules::price_time);
  std::vector<OrderId> live;
  std::size_t k = 0, orders = 0, trades = 0;
  for (auto _ : state) {
    const std::size_t i = k++ & (kFlow - 1);
    const auto r = book.submit(f.side[i], static_cast<std::uint32_t>(i), f.price[i], f.quantity[i], static_cast<double>(k));
    if (r.resting > 0) live.push_back(r.id);
    if (book.standing() > depth) {
      const std::size_t j = f.pick[i] % live.size();
      book.cancel(live[j]);  // may already be filled: then nothing happens
      live[j] = live.back();
      live.pop_back();
    }
    if (book.trades().size() > 4096) trades += book.trades().size(), book.clear_trades();
    ++orders;
  }
  trades += book.trades().size();
  state.counters["orders_per_s"] = benchmark::Counter(static_cast<double>(orders), benchmark::Counter::kIsRate);
  state.counters["trades_per_order"] = static_cast<double>(trades) / static_cast<double>(orders);
  state.counters["standing"] = static_cast<double>(book.standing());
}

// Gode-Sunder rules: single-unit orders uniform over [1, 200] (a ZI-U order flow).
void GodeSunder(benchmark::State& state) {
  Flow f;
  ms::Stream s(1, 2);
  for (std::size_t k = 0; k < kFlow; ++k) {
    f.side.push_back(s.below(2) ? Side::buy : Side::sell);
    f.price.push_back(1.0 + s.uniform01() * 199.0);
  }
  DoubleAuction book(AuctionRules::gode_sunder);
  std::size_t k = 0, trades = 0;
  for (auto _ : state) {
    const std::size_t i = k++ & (kFlow - 1);
    book.submit(f.side[i], static_cast<std::uint32_t>(i), f.price[i], 1, static_cast<double>(k));
    if (book.trades().size() > 4096) trades += book.trades().size(), book.clear_trades();
  }
  trades += book.trades().size();
  state.counters["orders_per_s"] = benchmark::Counter(static_cast<double>(k), benchmark::Counter::kIsRate);
  state.counters["trades_per_order"] = static_cast<double>(trades) / static_cast<double>(k);
}

// One zi_double_auction period (ZiDoubleAuction::step): the default market (Gode and
// Sunder's market 1: 6 + 6 traders, 36 units each side, 1000 order arrivals), or a large
// custom one: `traders` buyers and as many sellers with 3 units each, values 200 -> 1 and
// mirrored costs, and 100 arrivals per trader.
void ZiPeriod(benchmark::State& state, const char* trader, const char* rules) {
  const auto traders = state.range(0);
  const auto& info = ms::Registry::instance().get("zi_double_auction");
  std::vector<ms::Assignment> set = {{"trader", std::string(trader), "", false},
                                     {"rules", std::string(rules), "", false},
                                     {"record_trades", false, "", false}};
  if (traders > 6) {
    std::vector<double> values, costs;
    for (std::int64_t k = 0; k < 3 * traders; ++k) {
      values.push_back(200.0 - 199.0 * static_cast<double>(k) / static_cast<double>(3 * traders - 1));
      costs.push_back(201.0 - values.back());
    }
    set.push_back({"market", std::string("custom"), "", false});
    set.push_back({"buyers", traders, "", false});
    set.push_back({"sellers", traders, "", false});
    set.push_back({"buyer_values", values, "", false});
    set.push_back({"seller_costs", costs, "", false});
    set.push_back({"period_length", 100 * 2 * traders, "", false});
  }
  auto params = ms::resolve(info.schema, set, "bench");
  ms::Run run(info, params, 1, nullptr);
  ms::ZiDoubleAuction model(run);
  std::int64_t period = 0;
  for (auto _ : state) model.step(++period);
  state.counters["periods_per_s"] = benchmark::Counter(static_cast<double>(period), benchmark::Counter::kIsRate);
}

void ZiArgs(benchmark::internal::Benchmark* b) { b->ArgName("traders")->Arg(6)->Arg(500)->Unit(benchmark::kMicrosecond); }

}  // namespace

BENCHMARK(PriceTime)->ArgName("depth")->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(GodeSunder);
BENCHMARK_CAPTURE(ZiPeriod, zi_c_gode_sunder, "zi_c", "gode_sunder")->Apply(ZiArgs);
BENCHMARK_CAPTURE(ZiPeriod, zi_u_gode_sunder, "zi_u", "gode_sunder")->Apply(ZiArgs);
BENCHMARK_CAPTURE(ZiPeriod, zi_c_price_time, "zi_c", "price_time")->Apply(ZiArgs);
BENCHMARK_CAPTURE(ZiPeriod, zi_u_price_time, "zi_u", "price_time")->Apply(ZiArgs);

BENCHMARK_MAIN();
