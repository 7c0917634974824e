#pragma once
// Disclosure channels: who observes which deal. Rules, data structure and tests:
// docs/mechanisms.md#disclosure-channels.
//
// A deal is (round, party, group, terms): the agent who made it, the group (coalition,
// club) it belonged to when it made it, or kNoGroup, and its terms (a price, a share).
// "Visible at round t" means at the end of round t, once that round's deals are made;
// a scenario deciding in round t reads the view as of round t - 1. Agent i, currently
// in group g, sees:
//   private   its own deals;
//   group     its own deals and every deal made by a member of g (while in g); an
//             agent in no group sees its own deals only;
//   public    every deal;
//   delayed   its own deals at once, every other deal `lag` rounds later: a deal of
//             round r is public from the end of round r + lag (lag 0 = public).
// Queries cover the deals made in rounds [since, t] (all rounds by default): counts,
// sums, means, minima and maxima of the visible terms, or the list of visible deals.
//
// Cost. The channel keeps running aggregates (count, sum, min, max) per round for the
// public and for each group, and per agent per group for its own deals, plus the
// individual deals of the last `history` rounds in one log threaded by party and by
// group. An aggregate over all rounds costs O(log rounds + the agent's own groups), one
// over a window O(rounds in it + own deals in it); a listing O(visible deals). Memory
// is O(agents + groups x rounds kept + deals kept), never agents x deals, so it serves
// 10^6 agents querying every round. Queries are const and may run in parallel; deals
// are recorded from one thread, in non-decreasing rounds, and a query at round t must
// not precede the last round recorded (the channel keeps no older view).
// Sums are deterministic: running totals add terms one by one in recording order, and
// parts (rounds of a window, the agent's own deals) are merged in a fixed order. They
// equal a brute-force sum exactly when the terms are exactly representable (e.g. cents
// / 2^k), and to rounding otherwise.
#include <cstdint>
#include <deque>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace marketsim::disclosure {

enum class Rule { private_, group, public_, delayed };

// "private", "group", "public", "delayed"; a wrong name throws marketsim::Error listing them.
Rule parse_rule(std::string_view name);
std::string_view to_string(Rule rule);
const std::vector<std::string>& rule_names();

inline constexpr std::int32_t kNoGroup = -1;
inline constexpr std::int64_t kAllRounds = std::numeric_limits<std::int64_t>::min();  // `since` default
inline constexpr std::int64_t kKeepAll = 0;  // `history`: keep every deal

struct Deal {
  std::int64_t round = 0;
  std::uint32_t party = 0;
  std::int32_t group = kNoGroup;
  double terms = 0;
};

// Count, sum, min and max of terms; min = +inf and max = -inf when empty.
struct Aggregate {
  std::int64_t count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  void add(double x);
  void merge(const Aggregate& other);
  bool empty() const { return count == 0; }
  double mean() const;  // NaN when empty
};

class Channel {
 public:
  // agents: parties are 0..agents-1. lag (>= 0) is used by `delayed` only. history:
  // rounds of individual deals kept (kKeepAll, or >= 1; >= lag + 1 under `delayed`);
  // older deals live on in the aggregates, so all-round aggregates never need them,
  // but windows and listings must start within the kept rounds.
  Channel(Rule rule, std::uint32_t agents, std::int64_t lag = 0, std::int64_t history = kKeepAll);

  // Rounds >= 0 and non-decreasing; group >= 0 or kNoGroup; terms finite.
  void record(std::int64_t round, std::uint32_t party, std::int32_t group, double terms);

  // Terms of the deals made in rounds [since, round] that `agent`, now in `group`,
  // sees at the end of `round`.
  Aggregate seen(std::uint32_t agent, std::int32_t group, std::int64_t round,
                 std::int64_t since = kAllRounds) const;

  // The same deals, listed into `out` (cleared first), in no particular order.
  void seen_deals(std::uint32_t agent, std::int32_t group, std::int64_t round, std::int64_t since,
                  std::vector<Deal>& out) const;

  Rule rule() const { return rule_; }
  std::int64_t lag() const { return lag_; }
  std::uint32_t agents() const { return agents_; }
  std::int64_t deals() const { return deals_; }           // recorded so far
  std::int64_t latest_round() const { return latest_; }   // -1 before the first deal
  std::int64_t oldest_kept_round() const;                 // first round whose deals are all kept

 private:
  static constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
  static constexpr std::uint32_t kNoEntry = std::numeric_limits<std::uint32_t>::max();

  struct Logged {
    Deal deal;
    std::uint64_t prev_own = kNone;    // the party's previous deal (log index)
    std::uint64_t prev_group = kNone;  // the group's previous deal
  };
  // Per-round aggregates of one audience (the public, or one group).
  struct RoundTotals {
    std::int64_t round;
    Aggregate in_round;  // deals of this round
    Aggregate to_date;   // deals of this round and every earlier one
  };
  struct Series {
    Aggregate folded;  // rounds older than the kept history
    std::deque<RoundTotals> rounds;  // ascending, rounds with deals
    std::uint64_t last = kNone;      // newest deal of the group in the log
    void add(std::int64_t round, double terms, std::int64_t keep_from);
    Aggregate range(std::int64_t since, std::int64_t until, bool all_rounds) const;
  };
  // One agent's own deals in one group (a linked list per agent; agents have few groups).
  struct OwnTotal {
    std::int32_t group = kNoGroup;
    std::uint32_t next = kNoEntry;
    Aggregate terms;
  };

  void check_query(std::uint32_t agent, std::int32_t group, std::int64_t round) const;
  bool covers_all(std::int64_t since) const { return since <= first_round_; }
  bool tracks_own() const { return rule_ != Rule::public_; }
  const Logged* logged(std::uint64_t index) const;
  // Calls f(deal) for the log chain from `head` via `link`, for deals in [since, until].
  template <class F>
  void walk(std::uint64_t head, std::uint64_t Logged::*link, std::int64_t since, std::int64_t until, F&& f) const;
  // The agent's own deals in [since, until] whose group is not `except` (kNoGroup: all).
  Aggregate own(std::uint32_t agent, std::int32_t except, std::int64_t since, std::int64_t until) const;
  void own_deals(std::uint32_t agent, std::int32_t except, std::int64_t since, std::int64_t until,
                 std::vector<Deal>& out) const;
  void list_public(std::int64_t since, std::int64_t until, std::vector<Deal>& out) const;

  Rule rule_;
  std::uint32_t agents_;
  std::int64_t lag_, history_;
  std::int64_t latest_ = -1;
  std::int64_t first_round_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t deals_ = 0;
  std::deque<Logged> log_;       // deals of the kept rounds, in recording order
  std::uint64_t log_base_ = 0;   // log index of log_.front()
  Series public_;
  std::unordered_map<std::int32_t, Series> groups_;  // group rule only
  std::vector<std::uint64_t> own_last_;              // newest own deal in the log, per agent
  std::vector<std::uint32_t> own_first_;             // head of the agent's OwnTotal list
  std::vector<OwnTotal> own_totals_;
};

}  // namespace marketsim::disclosure
