#pragma once
// Single-object auctions: sealed-bid (first-price, second-price, all-pay), their scoring
// variants, and the ascending (English) clock auction. Each is one O(n) pass over
// arrays of bids owned by the caller (no copy, no sort, no allocation).
//
// Sealed bid. Bidder i submits b_i; the auctioneer ranks the score s_i = a_i + b_i,
// where a_i is a fundamental it knows (a_i = 0 in the plain auction; a firm choosing a
// city scores its fundamentals a_i plus the subsidy b_i, Che 1993).
//   * Reserve r: a bidder with s_i < r is rejected: it neither wins nor pays. If no
//     bidder qualifies there is no sale.
//   * Winner: the highest score; ties are broken uniformly among the tied bidders by one
//     draw from the Stream passed in (drawn only when there is a tie).
//   * first_price: the winner pays its bid b_w.
//   * second_price: the winner pays the bid that would have tied the runner-up's score,
//     max(s_(2), r) - a_w, where s_(2) is the highest score among the other qualified
//     bidders (s_(2) = s_w on a tie). With a = 0 this is Vickrey's (1961) price
//     max(b_(2), r). In a scoring auction it is negative when a_w alone beats s_(2):
//     the winner would win with any bid down to that level (a caller whose bids cannot
//     be negative, e.g. subsidies, floors it at 0).
//   * all_pay: every qualified bidder pays its own bid; the winner's price is its bid.
//   * choice_noise sigma > 0 (logit choice, McFadden 1974; first_price and all_pay only):
//     the winner is drawn among the qualified bidders with probability
//     exp(s_i / sigma) / sum_j exp(s_j / sigma) (one uniform draw); sigma -> 0 gives the
//     highest score. Second-price payments are not defined under noisy choice.
//
// English clock. The price runs p_k = start + k * increment, k = 0, 1, ...; bidder i is
// in at p_k while d_i >= p_k (its drop-out value d_i). A bidder with d_i < start never
// enters (the start price is the reserve). The clock stops at the first step with at
// most one bidder left:
//   * one left: it wins and pays the price at which the last rival dropped,
//     p_{K2+1}, the first clock price above the runner-up's drop-out value (start if
//     it had no rival). So the price is in (d_(2), d_(2) + increment] and tends to the
//     second-price outcome max(d_(2), start) as increment -> 0;
//   * none left (the last bidders all dropped at the same step): the winner is drawn
//     uniformly among those still in at the previous price p_K and pays p_K.
//   The clock is not stepped: each bidder's last step K_i = max{k : p_k <= d_i} is
//   computed directly, so the cost does not depend on the increment.
//
// A bid (or drop-out value) of -infinity, kNoBid, means the bidder abstains. Every
// function throws marketsim::Error on bad input (a NaN or +infinite bid, a payments
// array of the wrong length, a non-positive increment, ...).
//
// References: W. Vickrey, J. Finance 16 (1961); R. Myerson, Math. Oper. Res. 6 (1981);
// J. Riley and W. Samuelson, AER 71 (1981); Y.-K. Che, RAND J. Econ. 24 (1993);
// V. Krishna, Auction Theory (2nd ed. 2009), ch. 2-3; P. Milgrom, Putting Auction
// Theory to Work (2004). Model page: docs/models/sealed_bid_auction.md.
#include <cstddef>
#include <limits>
#include <span>
#include <string_view>

#include "sim/random.hpp"

namespace marketsim {

// The bid of a bidder who stays out: it never qualifies and pays nothing.
inline constexpr double kNoBid = -std::numeric_limits<double>::infinity();

enum class Pricing { first_price, second_price, all_pay };

// "first_price", "second_price", "all_pay"; Error naming the choices otherwise.
Pricing parse_pricing(std::string_view name);
std::string_view to_string(Pricing pricing);

struct AuctionRules {
  Pricing pricing = Pricing::first_price;
  double reserve = 0;        // lowest admissible score (finite)
  double choice_noise = 0;   // logit scale sigma >= 0 on scores; 0: highest score wins
};

struct ClockRules {
  double start = 0;          // first clock price: the reserve (finite)
  double increment = 0.01;   // price step (finite, > 0)
};

struct AuctionOutcome {
  static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
  std::size_t winner = none;  // index into the bid array, or `none` (no sale)
  double price = 0;           // what the winner pays (0 without a sale)
  double revenue = 0;         // sum of all payments (all-pay: every qualified bid)
  std::size_t qualified = 0;  // bidders at or above the reserve (English: in at `start`)
  std::size_t tied = 0;       // bidders tied for the win (1 without a tie, 0 without a sale)
  bool sold() const { return winner != none; }
};

// Sealed-bid auction on bids b (score = bid). `payments`, if not empty, must have one
// entry per bidder and receives what each bidder pays.
AuctionOutcome sealed_bid_auction(std::span<const double> bids, const AuctionRules& rules, Stream& ties,
                                  std::span<double> payments = {});

// Scoring auction: score_i = fundamentals[i] + bids[i]; payments are in bid units.
AuctionOutcome scoring_auction(std::span<const double> fundamentals, std::span<const double> bids,
                               const AuctionRules& rules, Stream& ties, std::span<double> payments = {});

// Ascending clock auction on drop-out values (the highest price each bidder stays in at).
AuctionOutcome english_auction(std::span<const double> dropouts, const ClockRules& clock, Stream& ties,
                               std::span<double> payments = {});

}  // namespace marketsim
