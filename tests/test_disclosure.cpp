// Disclosure channels (markets/disclosure.hpp): each rule shows each agent exactly what
// it allows, on hand-built cases and against a brute-force reference
// (docs/mechanisms.md#disclosure-channels).
#include <gtest/gtest.h>

#include <boost/random/uniform_int_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

#include "markets/disclosure.hpp"
#include "sim/error.hpp"
#include "sim/random.hpp"

namespace dc = marketsim::disclosure;
using marketsim::Error;
using marketsim::Stream;

namespace {

constexpr std::int32_t kNone = dc::kNoGroup;

// Visible terms, sorted, for compact expectations.
std::vector<double> terms(const dc::Channel& c, std::uint32_t agent, std::int32_t group, std::int64_t round,
                          std::int64_t since = dc::kAllRounds) {
  std::vector<dc::Deal> deals;
  c.seen_deals(agent, group, round, since, deals);
  std::vector<double> t;
  for (const auto& d : deals) t.push_back(d.terms);
  std::sort(t.begin(), t.end());
  // The aggregate must describe the same set.
  const auto a = c.seen(agent, group, round, since);
  EXPECT_EQ(a.count, static_cast<std::int64_t>(t.size()));
  if (!t.empty()) {
    EXPECT_EQ(a.min, t.front());
    EXPECT_EQ(a.max, t.back());
  }
  return t;
}

using V = std::vector<double>;

// Agents 0, 1 in group 0; agent 2 in group 1; agents 3, 4 in no group.
void record_example(dc::Channel& c) {
  c.record(0, 0, 0, 10);
  c.record(0, 2, 1, 20);
  c.record(0, 3, kNone, 30);
  c.record(1, 1, 0, 12);
  c.record(1, 4, kNone, 40);
  c.record(2, 0, 0, 8);
}

}  // namespace

TEST(Disclosure, PrivateShowsOnlyOwnDeals) {
  dc::Channel c(dc::Rule::private_, 5);
  record_example(c);
  EXPECT_EQ(terms(c, 0, 0, 2), (V{8, 10}));
  EXPECT_EQ(terms(c, 1, 0, 2), (V{12}));
  EXPECT_EQ(terms(c, 3, kNone, 2), (V{30}));
  EXPECT_EQ(terms(c, 0, 0, 2, 1), (V{8}));  // window: rounds >= 1
  const auto a = c.seen(0, 0, 2);
  EXPECT_EQ(a.sum, 18);
  EXPECT_EQ(a.mean(), 9);
  EXPECT_TRUE(std::isnan(c.seen(2, 1, 2, 1).mean()));  // agent 2 made no deal since round 1
}

TEST(Disclosure, PublicShowsEverything) {
  dc::Channel c(dc::Rule::public_, 5);
  c.record(0, 0, 0, 10);
  c.record(0, 2, 1, 20);
  c.record(0, 3, kNone, 30);
  EXPECT_EQ(terms(c, 4, kNone, 0), (V{10, 20, 30}));
  c.record(1, 1, 0, 12);
  c.record(1, 4, kNone, 40);
  c.record(2, 0, 0, 8);
  for (std::uint32_t i = 0; i < 5; ++i) EXPECT_EQ(terms(c, i, kNone, 2), (V{8, 10, 12, 20, 30, 40}));
  EXPECT_EQ(terms(c, 2, 1, 2, 1), (V{8, 12, 40}));
  EXPECT_EQ(terms(c, 2, 1, 2, 2), (V{8}));
  EXPECT_EQ(c.seen(0, kNone, 2).sum, 120);
}

TEST(Disclosure, GroupShowsOwnAndGroupDeals) {
  dc::Channel c(dc::Rule::group, 5);
  c.record(0, 0, 0, 10);
  c.record(0, 2, 1, 20);
  c.record(0, 3, kNone, 30);
  EXPECT_EQ(terms(c, 1, 0, 0), (V{10}));  // a member sees a member's deal at once
  c.record(1, 1, 0, 12);
  c.record(1, 4, kNone, 40);
  EXPECT_EQ(terms(c, 0, 0, 1), (V{10, 12}));
  EXPECT_EQ(terms(c, 2, 1, 1), (V{20}));
  EXPECT_EQ(terms(c, 3, kNone, 1), (V{30}));  // in no group: own deals only
  EXPECT_EQ(terms(c, 4, kNone, 1), (V{40}));
  // Agent 2 joins group 0 and deals there: it sees group 0's deals and its own old one;
  // the old members do not see its group-1 deal.
  c.record(3, 2, 0, 25);
  EXPECT_EQ(terms(c, 2, 0, 3), (V{10, 12, 20, 25}));
  EXPECT_EQ(terms(c, 0, 0, 3), (V{10, 12, 25}));
  EXPECT_EQ(terms(c, 2, kNone, 3), (V{20, 25}));  // after leaving: its own deals
  EXPECT_EQ(terms(c, 2, 1, 3), (V{20, 25}));      // back in group 1: its deal there and its own
  EXPECT_EQ(terms(c, 4, 0, 3), (V{10, 12, 25, 40}));  // a newcomer to group 0 sees the group's history
  EXPECT_EQ(terms(c, 2, 0, 3, 1), (V{12, 25}));
  const auto a = c.seen(2, 0, 3);
  EXPECT_EQ(a.sum, 67);  // no deal counted twice
  EXPECT_EQ(a.count, 4);
  EXPECT_EQ(terms(c, 0, 7, 3), (V{10}));  // a group with no deals yet
}

TEST(Disclosure, DelayedPublishesAfterLagRounds) {
  dc::Channel c(dc::Rule::delayed, 5, 1);
  c.record(0, 0, 0, 10);
  c.record(0, 2, 1, 20);
  c.record(0, 3, kNone, 30);
  EXPECT_EQ(terms(c, 0, kNone, 0), (V{10}));  // round r: parties only
  EXPECT_EQ(terms(c, 4, kNone, 0), (V{}));
  EXPECT_EQ(terms(c, 4, kNone, 1), (V{10, 20, 30}));  // round r + lag: everyone
  c.record(1, 1, 0, 12);
  c.record(1, 4, kNone, 40);
  EXPECT_EQ(terms(c, 0, kNone, 1), (V{10, 20, 30}));
  EXPECT_EQ(terms(c, 1, kNone, 1), (V{10, 12, 20, 30}));
  c.record(2, 0, 0, 8);
  EXPECT_EQ(terms(c, 0, kNone, 2), (V{8, 10, 12, 20, 30, 40}));
  EXPECT_EQ(terms(c, 3, kNone, 2), (V{10, 12, 20, 30, 40}));
  EXPECT_EQ(terms(c, 3, kNone, 2, 1), (V{12, 40}));  // window from round 1
  EXPECT_EQ(terms(c, 3, kNone, 3), (V{8, 10, 12, 20, 30, 40}));  // a later view, nothing new recorded

  // Lag boundary with lag 3: the deal of round 2 is public at the end of round 5, not 4.
  dc::Channel slow(dc::Rule::delayed, 2, 3);
  slow.record(2, 0, kNone, 1.5);
  for (std::int64_t t = 2; t <= 6; ++t) {
    EXPECT_EQ(slow.seen(1, kNone, t).count, t >= 5 ? 1 : 0) << t;
    EXPECT_EQ(slow.seen(0, kNone, t).count, 1) << t;
  }
  // Lag 0 is public.
  dc::Channel now(dc::Rule::delayed, 2, 0);
  now.record(0, 0, kNone, 1.0);
  EXPECT_EQ(now.seen(1, kNone, 0).count, 1);
}

// One agent dealing in many groups grows the per-(agent, group) totals while the walk
// along its list points into them (a use-after-move once; ASan caught it in
// buyer_coalition). Every group's own total must still be exact.
TEST(Disclosure, AnAgentDealingInManyGroupsKeepsExactOwnTotals) {
  constexpr int kGroups = 300;
  dc::Channel c(dc::Rule::group, 3);
  for (int g = 0; g < kGroups; ++g) {
    c.record(g, 0, g, 1.0 + g);        // agent 0 deals once in every group
    if (g % 7 == 0) c.record(g, 1, g, 1000.0);  // another agent now and then
  }
  for (int g = 0; g < kGroups; g += 37) {
    const auto own = c.seen(2, kNone, kGroups);  // an outsider sees nothing
    EXPECT_EQ(own.count, 0);
    const auto a = c.seen(0, g, kGroups);  // agent 0 in group g: all its own deals + group g's
    const double others = g % 7 == 0 ? 1000.0 : 0.0;
    EXPECT_EQ(a.count, kGroups + (g % 7 == 0 ? 1 : 0)) << g;
    EXPECT_DOUBLE_EQ(a.sum, kGroups * (kGroups + 1) / 2.0 + others) << g;
  }
}

TEST(Disclosure, ParsesRuleNamesWithAClearError) {
  EXPECT_EQ(dc::parse_rule("private"), dc::Rule::private_);
  EXPECT_EQ(dc::parse_rule("group"), dc::Rule::group);
  EXPECT_EQ(dc::parse_rule("public"), dc::Rule::public_);
  EXPECT_EQ(dc::parse_rule("delayed"), dc::Rule::delayed);
  for (const auto& name : dc::rule_names()) EXPECT_EQ(dc::to_string(dc::parse_rule(name)), name);
  try {
    dc::parse_rule("pubic");
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("did you mean 'public'"), std::string::npos) << m;
    EXPECT_NE(m.find("private, group, public, delayed"), std::string::npos) << m;
  }
}

TEST(Disclosure, BadArgumentsThrow) {
  EXPECT_THROW(dc::Channel(dc::Rule::delayed, 3, -1), Error);
  EXPECT_THROW(dc::Channel(dc::Rule::public_, 0), Error);
  EXPECT_THROW(dc::Channel(dc::Rule::public_, 3, 0, -2), Error);
  EXPECT_THROW(dc::Channel(dc::Rule::delayed, 3, 2, 2), Error);  // history must cover lag + 1 rounds
  dc::Channel c(dc::Rule::group, 3, 0, 2);
  EXPECT_THROW(c.record(-1, 0, 0, 1.0), Error);
  EXPECT_THROW(c.record(0, 3, 0, 1.0), Error);
  EXPECT_THROW(c.record(0, 0, -2, 1.0), Error);
  EXPECT_THROW(c.record(0, 0, 0, NAN), Error);
  c.record(4, 2, 0, 0.5);
  c.record(5, 0, 0, 1.0);
  EXPECT_THROW(c.record(4, 0, 0, 1.0), Error);  // rounds never go back
  EXPECT_THROW(c.seen(0, 0, 4), Error);          // nor do views
  EXPECT_THROW(c.seen(3, 0, 5), Error);
  c.record(6, 1, 0, 2.0);
  c.record(7, 1, 0, 3.0);
  EXPECT_NO_THROW(c.seen(0, 0, 7, 6));
  EXPECT_THROW(c.seen(0, 0, 7, 5), Error);  // round 5 has left the two kept rounds
  EXPECT_EQ(c.seen(0, 0, 7).count, 4);      // all-round aggregates do not need it
  EXPECT_EQ(c.seen(0, 0, 7, 4).count, 4);   // nor does a window covering every deal
  std::vector<dc::Deal> out;
  EXPECT_THROW(c.seen_deals(0, 0, 7, dc::kAllRounds, out), Error);
}

namespace {

struct Query {
  std::uint32_t agent;
  std::int32_t group;
  std::int64_t round, since;
};

// The definition, deal by deal.
bool visible(dc::Rule rule, std::int64_t lag, const dc::Deal& d, const Query& q) {
  if (d.round > q.round || d.round < q.since) return false;
  if (d.party == q.agent) return true;
  switch (rule) {
    case dc::Rule::private_: return false;
    case dc::Rule::public_: return true;
    case dc::Rule::delayed: return d.round + lag <= q.round;
    case dc::Rule::group: return q.group != kNone && d.group == q.group;
  }
  return false;
}

void compare_with_brute_force(dc::Rule rule, std::int64_t lag, std::int64_t history, std::uint64_t seed) {
  SCOPED_TRACE(testing::Message() << dc::to_string(rule) << " lag=" << lag << " history=" << history);
  const std::uint32_t agents = 40;
  const std::int32_t groups = 5;
  const std::int64_t rounds = 25;
  dc::Channel channel(rule, agents, lag, history);
  std::vector<dc::Deal> all;
  Stream s(seed, 1);
  boost::random::uniform_int_distribution<int> pick_agent(0, agents - 1), pick_group(-1, groups - 1),
      per_round(0, 30), cents(0, 4000), percent(0, 99);
  std::vector<std::int32_t> group_of(agents);
  for (auto& g : group_of) g = pick_group(s);
  std::int64_t checked = 0;
  for (std::int64_t t = 0; t < rounds; ++t) {
    if (t % 4 == 3) continue;  // some rounds without deals
    for (auto& g : group_of)
      if (percent(s) < 10) g = pick_group(s);  // agents join, leave and switch groups
    const int n = per_round(s);
    for (int k = 0; k < n; ++k) {
      const auto party = static_cast<std::uint32_t>(pick_agent(s));
      const dc::Deal d{t, party, group_of[party], cents(s) / 8.0};  // dyadic: sums exact in any order
      channel.record(d.round, d.party, d.group, d.terms);
      all.push_back(d);
    }
    for (std::uint32_t i = 0; i < agents; ++i) {
      for (std::int64_t view : {t, t + 1, t + lag + 1}) {
        std::vector<std::int64_t> windows{dc::kAllRounds, view, t, t - 1, t - lag, t - 5};
        for (std::int64_t since : windows) {
          // The current group, or another, or none.
          const std::int32_t group = percent(s) < 70 ? group_of[i] : pick_group(s);
          const Query q{i, group, view, since};
          // Windows reaching before the kept rounds are refused, unless they cover every deal.
          const std::int64_t first = all.empty() ? INT64_MAX : all.front().round;
          const bool kept = since <= first || since >= channel.oldest_kept_round();
          const bool listable = std::max(since, first) >= channel.oldest_kept_round();
          dc::Aggregate expected;
          std::vector<std::tuple<std::int64_t, std::uint32_t, double>> want, got;
          for (const auto& d : all)
            if (visible(rule, lag, d, q)) expected.add(d.terms), want.emplace_back(d.round, d.party, d.terms);
          if (kept) {
            const auto a = channel.seen(q.agent, q.group, q.round, q.since);
            ASSERT_EQ(a.count, expected.count) << "agent " << i << " round " << view << " since " << since;
            ASSERT_EQ(a.sum, expected.sum);
            ASSERT_EQ(a.min, expected.min);
            ASSERT_EQ(a.max, expected.max);
            ++checked;
          } else {
            EXPECT_THROW(channel.seen(q.agent, q.group, q.round, q.since), Error);
          }
          if (listable) {
            std::vector<dc::Deal> listed;
            channel.seen_deals(q.agent, q.group, q.round, q.since, listed);
            for (const auto& d : listed) got.emplace_back(d.round, d.party, d.terms);
            std::sort(want.begin(), want.end());
            std::sort(got.begin(), got.end());
            ASSERT_EQ(got, want) << "agent " << i << " round " << view << " since " << since;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 1000);
  EXPECT_EQ(channel.deals(), static_cast<std::int64_t>(all.size()));
}

}  // namespace

TEST(Disclosure, MatchesBruteForceOnRandomHistories) {
  std::uint64_t seed = 100;
  for (auto rule : {dc::Rule::private_, dc::Rule::group, dc::Rule::public_})
    for (std::int64_t history : {dc::kKeepAll, std::int64_t{1}, std::int64_t{3}}) compare_with_brute_force(rule, 0, history, ++seed);
  for (std::int64_t lag : {0, 1, 3})
    for (std::int64_t history : {dc::kKeepAll, lag + 1, lag + 4}) compare_with_brute_force(dc::Rule::delayed, lag, history, ++seed);
}
