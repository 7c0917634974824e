#include "agents/zi_traders.hpp"

#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "sim/error.hpp"

namespace marketsim::agents {

using markets::Side;

UnitSchedules::UnitSchedules(std::span<const double> units, std::uint32_t traders, UnitAssignment how, Side side,
                             std::string_view what) {
  const char* role = side == Side::buy ? "buyer" : "seller";
  if (traders == 0) throw Error(fmt::format("{}: at least one {} is needed", what, role));
  if (units.size() < traders)
    throw Error(fmt::format("{}: {} units cannot give each of the {} {}s a unit (the list needs at least {} entries)", what,
                            units.size(), traders, role, traders));
  if (units.size() >= 0xFFFFFFFFu) throw Error(fmt::format("{}: too many units ({})", what, units.size()));
  for (std::size_t k = 0; k < units.size(); ++k)
    if (!std::isfinite(units[k])) throw Error(fmt::format("{}: entry {} is {}, not a finite number", what, k, units[k]));
  const auto n = static_cast<std::uint32_t>(units.size());
  first_.assign(traders + 1, 0);
  for (std::uint32_t i = 0; i < traders; ++i) first_[i + 1] = first_[i] + n / traders + (i < n % traders ? 1 : 0);
  limit_.resize(n);
  for (std::uint32_t i = 0; i < traders; ++i) {
    for (std::uint32_t j = first_[i]; j < first_[i + 1]; ++j) {
      const std::uint32_t k = j - first_[i];  // the trader's k-th unit
      limit_[j] = how == UnitAssignment::round_robin ? units[i + k * traders] : units[j];
      if (k > 0 && (side == Side::buy ? limit_[j] > limit_[j - 1] : limit_[j] < limit_[j - 1]))
        throw Error(fmt::format("{}: {} {}'s unit {} ({}) {} its unit {} ({}); along a schedule {} (reorder the list)",
                                what, role, i, k, limit_[j], side == Side::buy ? "is worth more than" : "costs less than",
                                k - 1, limit_[j - 1],
                                side == Side::buy ? "values must not rise" : "costs must not fall"));
    }
  }
  next_.assign(first_.begin(), first_.end() - 1);
}

std::span<const double> UnitSchedules::schedule(std::uint32_t trader) const {
  return std::span<const double>(limit_).subspan(first_[trader], first_[trader + 1] - first_[trader]);
}

void UnitSchedules::consume(std::uint32_t trader) {
  if (!has_unit(trader)) throw Error(fmt::format("unit schedules: trader {} has no unit left to trade", trader));
  ++next_[trader];
}

void UnitSchedules::restore() { next_.assign(first_.begin(), first_.end() - 1); }

double zi_price(ZiRule rule, Side side, double limit, PriceBounds bounds, Stream& s) {
  if (!(limit >= bounds.min && limit <= bounds.max))
    throw Error(fmt::format("ZI trader: a {} of {} lies outside the price bounds [{}, {}]",
                            side == Side::buy ? "value" : "cost", limit, bounds.min, bounds.max));
  double lo = bounds.min, hi = bounds.max;
  if (rule == ZiRule::constrained) (side == Side::buy ? hi : lo) = limit;
  // Boost's uniform_real_distribution never returns when lo == hi.
  if (!(lo < hi)) return lo;
  return boost::random::uniform_real_distribution<double>(lo, hi)(s);
}

ZiTraders::ZiTraders(UnitSchedules buyers, UnitSchedules sellers, ZiRule rule, PriceBounds bounds)
    : buyers_(std::move(buyers)), sellers_(std::move(sellers)), rule_(rule), bounds_(bounds) {
  if (!(std::isfinite(bounds.min) && std::isfinite(bounds.max) && bounds.min < bounds.max))
    throw Error(fmt::format("ZI traders: price bounds must be finite with min < max, got [{}, {}]", bounds.min, bounds.max));
  if (buyers_.traders() == 0 || sellers_.traders() == 0)
    throw Error("ZI traders: a market needs at least one buyer and one seller");
  auto check = [&](const UnitSchedules& u, const char* what) {
    for (double x : u.all())
      if (x < bounds.min || x > bounds.max)
        throw Error(fmt::format("ZI traders: a {} of {} lies outside the price bounds [{}, {}]", what, x, bounds.min, bounds.max));
  };
  check(buyers_, "buyer's value");
  check(sellers_, "seller's cost");
  pos_.resize(static_cast<std::size_t>(buyers_.traders()) + sellers_.traders());
  restore();
}

std::uint32_t ZiTraders::pick(Stream& s) const {
  if (active_.empty()) throw Error("ZI traders: no trader holds a unit");
  return active_[s.below(active_.size())];
}

double ZiTraders::limit(std::uint32_t t) const { return schedules(t).current_limit(local(t)); }

std::uint32_t ZiTraders::unit(std::uint32_t t) const { return schedules(t).current_unit(local(t)); }

void ZiTraders::traded(std::uint32_t t) {
  UnitSchedules& u = schedules(t);
  u.consume(local(t));
  if (u.has_unit(local(t))) return;
  // Out of units: swap it out of the active list.
  const std::uint32_t p = pos_[t], last = active_.back();
  active_[p] = last;
  pos_[last] = p;
  active_.pop_back();
  pos_[t] = kInactive;
  if (t < n_buyers()) --active_buyers_;
}

void ZiTraders::restore() {
  buyers_.restore();
  sellers_.restore();
  active_.resize(pos_.size());
  std::iota(active_.begin(), active_.end(), 0u);
  std::iota(pos_.begin(), pos_.end(), 0u);
  active_buyers_ = buyers_.traders();
}

}  // namespace marketsim::agents
