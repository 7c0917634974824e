// contract_disclosure: belief rules on hand cases, and the
// seed's claim as a mean over replications with a 95% confidence interval: under
// max_observed club members' terms rise with sharing; under averaging, sharing lowers the
// terms of members who were above the club's average without sharing
// (docs/models/contract_disclosure.md lists which test checks what).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "analysis/statistics.hpp"
#include "scenarios/contract_disclosure/contract_disclosure.hpp"
#include "sim/error.hpp"
#include "sim/scenario.hpp"

namespace ms = marketsim;
namespace cd = marketsim::contract_disclosure;
using KV = std::vector<std::pair<std::string, std::string>>;

namespace {

const ms::ScenarioInfo& info() { return ms::Registry::instance().get("contract_disclosure"); }

ms::Params params(const KV& kv) {
  std::vector<ms::Assignment> a;
  for (const auto& [k, v] : kv) a.push_back({k, v, "test", true});
  return ms::resolve(info().schema, a, "contract_disclosure");
}

double scalar(const ms::RunResult& r, const std::string& name) {
  for (std::size_t i = 0; i < info().scalars.size(); ++i)
    if (info().scalars[i].name == name) return r.scalars[i];
  throw ms::Error("no scalar " + name);
}

ms::RunResult run(const KV& kv, std::uint64_t seed) { return ms::run_scenario(info(), params(kv), seed); }

// Mean share over rounds per supplier (NaN rounds, i.e. failed deals, skipped).
std::vector<double> mean_shares(const KV& kv, std::uint64_t seed, std::vector<std::uint8_t>& club, std::int64_t from,
                                std::int64_t to) {
  const auto p = params(kv);
  ms::Run r(info(), p, seed, nullptr);
  ms::ContractDisclosure model(r);
  const auto n = static_cast<std::size_t>(p.integer("suppliers"));
  std::vector<double> sum(n, 0.0), count(n, 0.0);
  for (std::int64_t t = 1; t <= p.integer("rounds"); ++t) {
    model.step(t);
    if (t < from || t > to) continue;
    for (std::size_t i = 0; i < n; ++i)
      if (!std::isnan(model.shares()[i])) sum[i] += model.shares()[i], count[i] += 1;
  }
  club.assign(model.club().begin(), model.club().end());
  for (std::size_t i = 0; i < n; ++i) sum[i] = count[i] > 0 ? sum[i] / count[i] : std::numeric_limits<double>::quiet_NaN();
  return sum;
}

}  // namespace

TEST(ContractDisclosureBelief, RulesOnHandCases) {
  const std::vector<double> seen = {0.3, 0.5};
  cd::Belief b{0.2, 0.2, 0, 0};
  cd::update_belief(b, cd::BeliefRule::max_observed, seen, 0.5, 1);
  EXPECT_DOUBLE_EQ(b.value, 0.5);
  cd::update_belief(b, cd::BeliefRule::max_observed, std::vector<double>{0.1}, 0.5, 1);
  EXPECT_DOUBLE_EQ(b.value, 0.5);  // never falls
  b = {0.2, 0.2, 0, 0};
  cd::update_belief(b, cd::BeliefRule::average, seen, 0.5, 1);
  EXPECT_DOUBLE_EQ(b.value, 0.5 * 0.2 + 0.5 * 0.4);
  b = {0.2, 0.2, 0, 0};
  cd::update_belief(b, cd::BeliefRule::bayes, seen, 0.5, 2);
  EXPECT_DOUBLE_EQ(b.value, (2 * 0.2 + 0.8) / 4);
  cd::update_belief(b, cd::BeliefRule::bayes, std::vector<double>{0.6}, 0.5, 2);
  EXPECT_DOUBLE_EQ(b.value, (2 * 0.2 + 1.4) / 5);
  cd::update_belief(b, cd::BeliefRule::bayes, {}, 0.5, 2);  // nothing seen: unchanged
  EXPECT_DOUBLE_EQ(b.value, (2 * 0.2 + 1.4) / 5);
  EXPECT_THROW(cd::update_belief(b, cd::BeliefRule::average, seen, 1.5, 1), ms::Error);
}

TEST(ContractDisclosure, SharingRaisesMembersTermsUnderMaxObserved) {
  // The seed's claim: the same suppliers (the club), with and without pooling, paired by seed.
  std::vector<double> gain;
  for (std::uint64_t s = 1; s <= 20; ++s) {
    const KV base = {{"belief_rule", "max_observed"}, {"coordination", "coalition"}};
    auto shared = base, alone = base;
    shared.push_back({"disclosure", "group"});
    alone.push_back({"disclosure", "private"});
    gain.push_back(scalar(run(shared, s), "share_club") - scalar(run(alone, s), "share_club"));
  }
  const auto sum = ms::analysis::summarize(gain);
  EXPECT_GT(sum.mean - sum.half_width, 0.0) << sum.mean << " +- " << sum.half_width;
}

TEST(ContractDisclosure, AveragingLowersAboveAverageMembersTermsThenCausesFailedDeals) {
  // Under averaging, members whose terms without sharing were above the club's mean lower
  // their demands toward the visible mean: in rounds 3-5 their terms fall. Only accepted
  // contracts are shared, so the visible mean is biased upward (refusals leave no contract
  // to share): the club's demands then drift up and sharing causes failed deals.
  std::vector<double> early_change, failed;
  for (std::uint64_t s = 1; s <= 20; ++s) {
    const KV base = {{"belief_rule", "average"}, {"coordination", "coalition"}};
    auto shared = base, alone = base;
    shared.push_back({"disclosure", "group"});
    alone.push_back({"disclosure", "private"});
    std::vector<std::uint8_t> club;
    const auto a = mean_shares(alone, s, club, 3, 5);
    const auto b = mean_shares(shared, s, club, 3, 5);
    double club_mean = 0, members = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (club[i] && !std::isnan(a[i])) club_mean += a[i], members += 1;
    club_mean /= members;
    double diff = 0, k = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (club[i] && a[i] > club_mean && !std::isnan(b[i])) diff += b[i] - a[i], k += 1;
    early_change.push_back(diff / k);
    failed.push_back(scalar(run(shared, s), "failed_club") - scalar(run(alone, s), "failed_club"));
  }
  const auto change = ms::analysis::summarize(early_change);
  EXPECT_LT(change.mean + change.half_width, 0.0) << change.mean << " +- " << change.half_width;
  const auto more_failed = ms::analysis::summarize(failed);
  EXPECT_GT(more_failed.mean - more_failed.half_width, 0.0) << more_failed.mean << " +- " << more_failed.half_width;
}

TEST(ContractDisclosure, WithoutClubGroupEqualsPrivate) {
  const KV none = {{"coordination", "none"}};
  auto g = none, p = none;
  g.push_back({"disclosure", "group"});
  p.push_back({"disclosure", "private"});
  EXPECT_TRUE(run(g, 4) == run(p, 4));
}

TEST(ContractDisclosure, WelfareIsProfitPlusPayoff) {
  const auto r = run({{"disclosure", "public"}}, 2);
  EXPECT_NEAR(scalar(r, "welfare"), scalar(r, "platform_profit") + scalar(r, "supplier_payoff"), 1e-9);
  EXPECT_THROW(params({{"club_size", "101"}}), ms::Error);
}
