#include "markets/disclosure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "sim/error.hpp"

namespace marketsim::disclosure {

const std::vector<std::string>& rule_names() {
  static const std::vector<std::string> names{"private", "group", "public", "delayed"};
  return names;
}

Rule parse_rule(std::string_view name) {
  const auto& names = rule_names();
  for (std::size_t k = 0; k < names.size(); ++k)
    if (name == names[k]) return static_cast<Rule>(k);
  throw Error(fmt::format("unknown disclosure rule '{}'{}; valid rules are: {}", name, did_you_mean(name, names),
                          join(names)));
}

std::string_view to_string(Rule rule) { return rule_names()[static_cast<std::size_t>(rule)]; }

void Aggregate::add(double x) {
  ++count;
  sum += x;
  min = std::fmin(min, x);
  max = std::fmax(max, x);
}

void Aggregate::merge(const Aggregate& other) {
  count += other.count;
  sum += other.sum;
  min = std::fmin(min, other.min);
  max = std::fmax(max, other.max);
}

double Aggregate::mean() const { return count ? sum / static_cast<double>(count) : std::nan(""); }

void Channel::Series::add(std::int64_t round, double terms, std::int64_t keep_from) {
  if (rounds.empty() || rounds.back().round != round)
    rounds.push_back({round, {}, rounds.empty() ? folded : rounds.back().to_date});
  rounds.back().in_round.add(terms);
  rounds.back().to_date.add(terms);  // deal by deal, in recording order
  while (rounds.front().round < keep_from) {  // the newest round is always kept
    folded = rounds.front().to_date;
    rounds.pop_front();
  }
}

Aggregate Channel::Series::range(std::int64_t since, std::int64_t until, bool all_rounds) const {
  auto after = [](std::int64_t r, const RoundTotals& e) { return r < e.round; };
  if (all_rounds) {  // the running total of the last round <= until
    auto it = std::upper_bound(rounds.begin(), rounds.end(), until, after);
    return it == rounds.begin() ? folded : std::prev(it)->to_date;
  }
  Aggregate a;
  auto it = std::lower_bound(rounds.begin(), rounds.end(), since,
                             [](const RoundTotals& e, std::int64_t r) { return e.round < r; });
  for (; it != rounds.end() && it->round <= until; ++it) a.merge(it->in_round);
  return a;
}

Channel::Channel(Rule rule, std::uint32_t agents, std::int64_t lag, std::int64_t history)
    : rule_(rule), agents_(agents), lag_(lag), history_(history) {
  if (agents == 0) throw Error("disclosure: the channel needs at least one agent");
  if (lag < 0) throw Error(fmt::format("disclosure: lag must be >= 0 rounds, got {}", lag));
  if (history < 0)
    throw Error(fmt::format("disclosure: history must be >= 1 rounds, or 0 to keep every deal, got {}", history));
  if (rule == Rule::delayed && history != kKeepAll && history < lag + 1)
    throw Error(fmt::format("disclosure: under 'delayed' with lag {} the history must keep >= {} rounds (or 0 = all), got {}",
                            lag, lag + 1, history));
  if (tracks_own()) {
    own_last_.assign(agents, kNone);
    if (rule != Rule::delayed) own_first_.assign(agents, kNoEntry);
  }
}

std::int64_t Channel::oldest_kept_round() const {
  if (history_ == kKeepAll || latest_ < 0) return std::numeric_limits<std::int64_t>::min();
  return latest_ - history_ + 1;
}

void Channel::record(std::int64_t round, std::uint32_t party, std::int32_t group, double terms) {
  if (round < 0) throw Error(fmt::format("disclosure: deal round must be >= 0, got {}", round));
  if (round < latest_)
    throw Error(fmt::format("disclosure: deals must be recorded in non-decreasing rounds: round {} after round {}",
                            round, latest_));
  if (party >= agents_) throw Error(fmt::format("disclosure: party {} is not an agent (0..{})", party, agents_ - 1));
  if (group < kNoGroup) throw Error(fmt::format("disclosure: group must be >= 0 or kNoGroup (-1), got {}", group));
  if (!std::isfinite(terms)) throw Error(fmt::format("disclosure: deal terms must be finite, got {}", terms));

  if (round > latest_) {
    latest_ = round;
    const std::int64_t keep_from = oldest_kept_round();
    while (!log_.empty() && log_.front().deal.round < keep_from) log_.pop_front(), ++log_base_;
  }
  first_round_ = std::min(first_round_, round);
  ++deals_;
  const std::int64_t keep_from = oldest_kept_round();
  const std::uint64_t index = log_base_ + log_.size();
  Logged entry{{round, party, group, terms}, kNone, kNone};
  public_.add(round, terms, keep_from);
  if (rule_ == Rule::group && group != kNoGroup) {
    Series& g = groups_[group];
    g.add(round, terms, keep_from);
    entry.prev_group = g.last;
    g.last = index;
  }
  if (tracks_own()) {
    entry.prev_own = own_last_[party];
    own_last_[party] = index;
  }
  if (!own_first_.empty()) {
    // Running totals of own deals per group (one list per agent; private keeps one).
    const std::int32_t key = rule_ == Rule::group ? group : kNoGroup;
    // Walk by index: `slot` may point into own_totals_, which push_back can move.
    std::uint32_t* slot = &own_first_[party];
    while (*slot != kNoEntry && own_totals_[*slot].group != key) slot = &own_totals_[*slot].next;
    std::uint32_t entry_index = *slot;
    if (entry_index == kNoEntry) {
      if (own_totals_.size() >= kNoEntry) throw Error("disclosure: too many (agent, group) pairs");
      entry_index = static_cast<std::uint32_t>(own_totals_.size());
      *slot = entry_index;
      own_totals_.push_back({key, kNoEntry, {}});
    }
    own_totals_[entry_index].terms.add(terms);
  }
  log_.push_back(entry);
}

const Channel::Logged* Channel::logged(std::uint64_t index) const {
  if (index == kNone || index < log_base_) return nullptr;  // none, or expired from the history
  return &log_[index - log_base_];
}

template <class F>
void Channel::walk(std::uint64_t head, std::uint64_t Logged::*link, std::int64_t since, std::int64_t until,
                   F&& f) const {
  for (const Logged* e = logged(head); e && e->deal.round >= since; e = logged(e->*link))
    if (e->deal.round <= until) f(e->deal);
}

void Channel::check_query(std::uint32_t agent, std::int32_t group, std::int64_t round) const {
  if (agent >= agents_) throw Error(fmt::format("disclosure: agent {} is not an agent (0..{})", agent, agents_ - 1));
  if (group < kNoGroup) throw Error(fmt::format("disclosure: group must be >= 0 or kNoGroup (-1), got {}", group));
  if (round < latest_)
    throw Error(fmt::format("disclosure: query at round {} after deals of round {} were recorded; the channel keeps "
                            "no older view (query before recording the next round)",
                            round, latest_));
}

Aggregate Channel::own(std::uint32_t agent, std::int32_t except, std::int64_t since, std::int64_t until) const {
  Aggregate a;
  if (covers_all(since) && until >= latest_ && !own_first_.empty()) {  // every own deal: the running totals
    for (std::uint32_t k = own_first_[agent]; k != kNoEntry; k = own_totals_[k].next)
      if (except == kNoGroup || own_totals_[k].group != except) a.merge(own_totals_[k].terms);
    return a;
  }
  walk(own_last_[agent], &Logged::prev_own, since, until, [&](const Deal& d) {
    if (except == kNoGroup || d.group != except) a.add(d.terms);
  });
  return a;
}

void Channel::own_deals(std::uint32_t agent, std::int32_t except, std::int64_t since, std::int64_t until,
                        std::vector<Deal>& out) const {
  walk(own_last_[agent], &Logged::prev_own, since, until, [&](const Deal& d) {
    if (except == kNoGroup || d.group != except) out.push_back(d);
  });
}

void Channel::list_public(std::int64_t since, std::int64_t until, std::vector<Deal>& out) const {
  auto by_round = [](const Logged& e, std::int64_t r) { return e.deal.round < r; };
  for (auto it = std::lower_bound(log_.begin(), log_.end(), since, by_round);
       it != log_.end() && it->deal.round <= until; ++it)
    out.push_back(it->deal);
}

Aggregate Channel::seen(std::uint32_t agent, std::int32_t group, std::int64_t round, std::int64_t since) const {
  check_query(agent, group, round);
  const bool all_rounds = covers_all(since);
  if (!all_rounds && since < oldest_kept_round())
    throw Error(fmt::format("disclosure: a window from round {} needs deals the channel no longer keeps (it keeps "
                            "rounds >= {}; raise `history` or query all rounds)",
                            since, oldest_kept_round()));
  switch (rule_) {
    case Rule::public_: return public_.range(since, round, all_rounds);
    case Rule::private_: return own(agent, kNoGroup, since, round);
    case Rule::delayed: {
      // Public once lag rounds old; the agent's own newer deals at once (disjoint parts).
      Aggregate a = public_.range(since, round - lag_, all_rounds);
      a.merge(own(agent, kNoGroup, std::max(since, round - lag_ + 1), round));
      return a;
    }
    case Rule::group: {
      Aggregate a;
      if (group != kNoGroup)
        if (auto it = groups_.find(group); it != groups_.end()) a = it->second.range(since, round, all_rounds);
      a.merge(own(agent, group, since, round));  // own deals made outside the current group
      return a;
    }
  }
  return {};
}

void Channel::seen_deals(std::uint32_t agent, std::int32_t group, std::int64_t round, std::int64_t since,
                         std::vector<Deal>& out) const {
  check_query(agent, group, round);
  out.clear();
  if (std::max(since, first_round_) < oldest_kept_round())
    throw Error(fmt::format("disclosure: listing deals from round {} needs deals the channel no longer keeps (it "
                            "keeps rounds >= {}; raise `history`)",
                            since, oldest_kept_round()));
  switch (rule_) {
    case Rule::public_: list_public(since, round, out); return;
    case Rule::private_: own_deals(agent, kNoGroup, since, round, out); return;
    case Rule::delayed:
      list_public(since, round - lag_, out);
      own_deals(agent, kNoGroup, std::max(since, round - lag_ + 1), round, out);
      return;
    case Rule::group:
      if (group != kNoGroup)
        if (auto it = groups_.find(group); it != groups_.end())
          walk(it->second.last, &Logged::prev_group, since, round, [&](const Deal& d) { out.push_back(d); });
      own_deals(agent, group, since, round, out);
      return;
  }
}

}  // namespace marketsim::disclosure
