#include "markets/auctions.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/error.hpp"

namespace marketsim {
namespace {

// The highest and second-highest qualified scores in one pass.
struct Top {
  double best = kNoBid;
  double second = kNoBid;                         // best among the others (= best on a tie)
  std::size_t best_index = AuctionOutcome::none;  // first bidder at `best`
  std::size_t tied = 0;                           // bidders at `best`
  std::size_t qualified = 0;                      // bidders with score >= reserve
};

template <class Score>
Top scan(std::size_t n, Score score, double reserve, const char* who, const char* noun) {
  Top t;
  bool valid = true;  // no NaN, no +inf (-inf is kNoBid)
  for (std::size_t i = 0; i < n; ++i) {
    const double s = score(i);
    valid &= s < std::numeric_limits<double>::infinity();
    if (!(s >= reserve)) continue;
    ++t.qualified;
    if (s > t.best) {
      t.second = t.best;
      t.best = s;
      t.best_index = i;
      t.tied = 1;
    } else if (s == t.best) {
      ++t.tied;
    } else if (s > t.second) {
      t.second = s;
    }
  }
  if (!valid) {  // rare: find the culprit only now, so the hot loop has no throw
    std::size_t i = 0;
    while (score(i) < std::numeric_limits<double>::infinity()) ++i;
    throw Error(fmt::format("{}: bidder {} has {} {}; it must be a finite number (or -inf for no bid)", who, i,
                            noun, score(i)));
  }
  if (t.tied > 1) t.second = t.best;
  return t;
}

// The k-th (k uniform on [0, count)) bidder for which `in(i)` holds.
template <class Pred>
std::size_t pick_uniform(std::size_t n, std::size_t count, Pred in, Stream& ties) {
  std::size_t k = ties.below(count);
  for (std::size_t i = 0; i < n; ++i)
    if (in(i) && k-- == 0) return i;
  throw Error("auction: internal error, tied bidder not found");
}

void check_payments(std::span<double> payments, std::size_t n, const char* who) {
  if (!payments.empty() && payments.size() != n)
    throw Error(fmt::format("{}: payments has {} entries for {} bidders (pass one per bidder, or none)", who,
                            payments.size(), n));
}

template <class Fundamental>
AuctionOutcome sealed(std::span<const double> bids, Fundamental fundamental, const AuctionRules& rules,
                      Stream& ties, std::span<double> payments, const char* who, const char* noun) {
  const std::size_t n = bids.size();
  if (!std::isfinite(rules.reserve))
    throw Error(fmt::format("{}: reserve must be a finite number, got {}", who, rules.reserve));
  if (!(rules.choice_noise >= 0) || !std::isfinite(rules.choice_noise))
    throw Error(fmt::format("{}: choice_noise must be finite and >= 0, got {}", who, rules.choice_noise));
  if (rules.choice_noise > 0 && rules.pricing == Pricing::second_price)
    throw Error(fmt::format("{}: choice_noise > 0 needs first_price or all_pay pricing (a second-price payment "
                            "is not defined under noisy choice)", who));
  check_payments(payments, n, who);
  auto score = [&](std::size_t i) { return fundamental(i) + bids[i]; };
  const Top top = scan(n, score, rules.reserve, who, noun);

  AuctionOutcome out;
  out.qualified = top.qualified;
  std::fill(payments.begin(), payments.end(), 0.0);
  if (top.qualified == 0) return out;

  out.tied = top.tied;
  if (rules.choice_noise > 0) {
    // Logit weights relative to the best score (each in (0, 1]); summed in index order.
    const double sigma = rules.choice_noise;
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double s = score(i);
      if (s >= rules.reserve) total += std::exp((s - top.best) / sigma);
    }
    const double u = ties.uniform01() * total;
    double cumulative = 0;
    out.winner = top.best_index;  // if rounding leaves u at the very top
    for (std::size_t i = 0; i < n; ++i) {
      const double s = score(i);
      if (!(s >= rules.reserve)) continue;
      cumulative += std::exp((s - top.best) / sigma);
      if (u < cumulative) {
        out.winner = i;
        break;
      }
    }
  } else if (top.tied > 1) {
    out.winner = pick_uniform(n, top.tied, [&](std::size_t i) { return score(i) == top.best; }, ties);
  } else {
    out.winner = top.best_index;
  }

  const std::size_t w = out.winner;
  switch (rules.pricing) {
    case Pricing::first_price:
    case Pricing::all_pay: out.price = bids[w]; break;
    case Pricing::second_price: out.price = std::max(top.second, rules.reserve) - fundamental(w); break;
  }
  if (rules.pricing == Pricing::all_pay) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!(score(i) >= rules.reserve)) continue;
      out.revenue += bids[i];
      if (!payments.empty()) payments[i] = bids[i];
    }
  } else {
    out.revenue = out.price;
    if (!payments.empty()) payments[w] = out.price;
  }
  return out;
}

}  // namespace

Pricing parse_pricing(std::string_view name) {
  if (name == "first_price") return Pricing::first_price;
  if (name == "second_price") return Pricing::second_price;
  if (name == "all_pay") return Pricing::all_pay;
  throw Error(fmt::format("unknown auction pricing '{}'{} (valid: first_price, second_price, all_pay)", name,
                          did_you_mean(name, {"first_price", "second_price", "all_pay"})));
}

std::string_view to_string(Pricing pricing) {
  switch (pricing) {
    case Pricing::first_price: return "first_price";
    case Pricing::second_price: return "second_price";
    case Pricing::all_pay: return "all_pay";
  }
  return "?";
}

AuctionOutcome sealed_bid_auction(std::span<const double> bids, const AuctionRules& rules, Stream& ties,
                                  std::span<double> payments) {
  return sealed(bids, [](std::size_t) { return 0.0; }, rules, ties, payments, "sealed_bid_auction", "bid");
}

AuctionOutcome scoring_auction(std::span<const double> fundamentals, std::span<const double> bids,
                               const AuctionRules& rules, Stream& ties, std::span<double> payments) {
  if (fundamentals.size() != bids.size())
    throw Error(fmt::format("scoring_auction: {} fundamentals for {} bids (one per bidder)", fundamentals.size(),
                            bids.size()));
  return sealed(bids, [&](std::size_t i) { return fundamentals[i]; }, rules, ties, payments, "scoring_auction",
                "score (fundamental + bid)");
}

AuctionOutcome english_auction(std::span<const double> dropouts, const ClockRules& clock, Stream& ties,
                               std::span<double> payments) {
  const char* who = "english_auction";
  if (!std::isfinite(clock.start)) throw Error(fmt::format("{}: start price must be finite, got {}", who, clock.start));
  if (!(clock.increment > 0) || !std::isfinite(clock.increment))
    throw Error(fmt::format("{}: increment must be finite and > 0, got {}", who, clock.increment));
  const std::size_t n = dropouts.size();
  check_payments(payments, n, who);
  const Top top = scan(n, [&](std::size_t i) { return dropouts[i]; }, clock.start, who, "drop-out value");

  AuctionOutcome out;
  out.qualified = top.qualified;
  std::fill(payments.begin(), payments.end(), 0.0);
  if (top.qualified == 0) return out;

  // K_i = max{k : p_k <= d_i} is monotone in d_i, so the top two drop-out values give
  // the top two last steps. p_k is computed exactly as the clock defines it.
  auto price_at = [&](std::int64_t k) { return clock.start + static_cast<double>(k) * clock.increment; };
  auto last_step = [&](double d) {
    const double q = std::floor((d - clock.start) / clock.increment);
    if (!(q < 0x1p52))
      throw Error(fmt::format("{}: increment {} is too small for drop-out value {} from start {} (more than 2^52 "
                              "clock steps)", who, clock.increment, d, clock.start));
    auto k = static_cast<std::int64_t>(q);
    while (price_at(k + 1) <= d) ++k;
    while (k > 0 && price_at(k) > d) --k;
    return k;
  };
  const std::int64_t k1 = last_step(top.best);
  const std::int64_t k2 = top.qualified > 1 ? last_step(top.second) : -1;
  if (k2 < k1) {
    out.winner = top.best_index;
    out.tied = 1;
    out.price = price_at(k2 + 1);
  } else {  // everyone still in at p_{k1} drops at the next step together
    const double p = price_at(k1);
    auto in = [&](std::size_t i) { return dropouts[i] >= p; };
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) count += in(i);
    out.tied = count;
    out.winner = pick_uniform(n, count, in, ties);
    out.price = p;
  }
  out.revenue = out.price;
  if (!payments.empty()) payments[out.winner] = out.price;
  return out;
}

}  // namespace marketsim
