#pragma once
// zi_double_auction: Gode and Sunder's (1993) zero-intelligence traders in a continuous
// double auction (docs/models/zi_double_auction.md). One engine round is one trading
// period. The model class is public so tests can inspect a period's trades and
// benchmarks can time a period on its own.
#include <cstdint>
#include <span>
#include <vector>

#include "agents/zi_traders.hpp"
#include "markets/double_auction.hpp"
#include "sim/scenario.hpp"

namespace marketsim {

ScenarioInfo describe_zi_double_auction();

class ZiDoubleAuction {
 public:
  explicit ZiDoubleAuction(Run& run);
  void step(std::int64_t round);  // one trading period
  void record(Run& run);
  void finish(Run& run);

  const markets::CompetitiveEquilibrium& equilibrium() const { return ce_; }
  const agents::ZiTraders& traders() const { return traders_; }
  // Each trader's profit at the competitive price (buyers first) and in the last period.
  std::span<const double> equilibrium_profits() const { return equilibrium_profit_; }
  std::span<const double> period_profits() const { return profit_; }
  // The last period's trades (book records) and, per trade, the traded units' value and
  // cost and their indices in the buyers' / sellers' UnitSchedules::all().
  const std::vector<markets::Trade>& period_trades() const { return book_.trades(); }
  std::span<const double> period_values() const { return value_; }
  std::span<const double> period_costs() const { return cost_; }
  std::span<const std::uint32_t> period_buyer_units() const { return buyer_unit_; }
  std::span<const std::uint32_t> period_seller_units() const { return seller_unit_; }

 private:
  void settle(const markets::Trade& trade);

  std::uint64_t seed_;
  std::int64_t period_length_;
  std::size_t max_trades_;  // per period: min(buyer units, seller units, period_length)
  bool full_book_;          // rules = price_time: every trader's latest order stands
  agents::ZiTraders traders_;
  markets::DoubleAuction book_;
  markets::CompetitiveEquilibrium ce_;
  std::vector<double> equilibrium_profit_;  // per trader (buyers first), at ce_.price()
  std::vector<double> profit_;              // per trader, this period
  std::vector<Stream> price_streams_;      // one per trader, renewed each period
  std::vector<markets::OrderId> standing_; // price_time: each trader's standing order
  // The current period's trades.
  std::vector<double> value_, cost_, price_;
  std::vector<std::uint32_t> buyer_unit_, seller_unit_;
  // The last completed period (NaN before the first).
  double period_efficiency_, period_mean_price_, period_trades_;
  // Totals over the run.
  std::int64_t periods_ = 0, trades_ = 0;
  double surplus_ = 0, price_sum_ = 0, squared_deviation_sum_ = 0, profit_dispersion_sum_ = 0;
  std::vector<double> trade_prices_;  // record_trades: periods x max_trades_, NaN-padded
};

}  // namespace marketsim
