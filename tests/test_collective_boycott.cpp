// collective_boycott: the bargained wage, divide and conquer, and the scenario's
// benchmarks; docs/models/collective_boycott.md.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <map>
#include <vector>

#include "analysis/statistics.hpp"
#include "scenarios/collective_boycott/collective_boycott.hpp"
#include "sim/error.hpp"
#include "sim/scenario.hpp"

namespace ms = marketsim;
namespace bc = marketsim::boycott;

namespace {

const ms::ScenarioInfo& scenario() { return ms::Registry::instance().get("collective_boycott"); }

std::map<std::string, double> run(std::vector<std::pair<std::string, ms::Value>> set, std::uint64_t seed) {
  std::vector<ms::Assignment> a;
  for (auto& [k, v] : set) a.push_back({k, v, "test", false});
  const auto r = ms::run_scenario(scenario(), ms::resolve(scenario().schema, a, "test"), seed);
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < scenario().scalars.size(); ++i) out[scenario().scalars[i].name] = r.scalars[i];
  return out;
}

}  // namespace

// Hand case: L = 600 at stake, sitting out costs E = 40, power 1/2: T = (600 + 40)/2 - 40 = 280,
// shared by 100 pledgers: 2.8 above a cap of 1; capped by the competitive ceiling.
TEST(CollectiveBoycott, BargainedWageIsTheNashSplitOfTheThreat) {
  EXPECT_NEAR(bc::bargained_wage(600, 40, 0.5, 100, 1.0, 50.0), 3.8, 1e-12);
  EXPECT_NEAR(bc::bargained_wage(600, 40, 0.5, 100, 1.0, 2.5), 2.5, 1e-12);
  EXPECT_NEAR(bc::bargained_wage(600, 40, 1.0, 100, 0.0, 50.0), 6.0, 1e-12);  // all the revenue at stake
  EXPECT_EQ(bc::bargained_wage(10, 40, 0.2, 100, 1.0, 50.0), 1.0);  // a weak threat wins nothing
  EXPECT_THROW(bc::bargained_wage(600, 40, 0.5, 0, 0.0, 50.0), ms::Error);
}

TEST(CollectiveBoycott, PeelingCostsMOverOneMinusDetection) {
  EXPECT_DOUBLE_EQ(bc::expected_peel_cost(10, 2.0, 0.0), 20.0);
  EXPECT_DOUBLE_EQ(bc::expected_peel_cost(10, 2.0, 0.5), 40.0);
  EXPECT_TRUE(std::isinf(bc::expected_peel_cost(1, 2.0, 1.0)));
  EXPECT_EQ(bc::expected_peel_cost(0, 2.0, 1.0), 0.0);
  EXPECT_THROW(bc::expected_peel_cost(1, 2.0, 1.5), ms::Error);
  const std::vector<double> revenue{2.0, 1.5, 3.0};
  EXPECT_DOUBLE_EQ(bc::competitive_wage(revenue, 12), 18.0);
}

TEST(CollectiveBoycott, CompetitiveEmployersPayAtLeastTheCartelWage) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed)
    for (const bool dc : {false, true})
      for (const double power : {0.2, 0.5, 1.0}) {
        const std::vector<std::pair<std::string, ms::Value>> base{
            {"prospects", std::int64_t{300}}, {"threshold", std::int64_t{120}}, {"divide_and_conquer", dc},
            {"power", power}, {"rounds", std::int64_t{30}}};
        auto cartel = base, competitive = base;
        cartel.push_back({"employers", std::string("cartel")});
        competitive.push_back({"employers", std::string("competitive")});
        const auto c = run(cartel, seed), k = run(competitive, seed);
        EXPECT_GE(k.at("wage"), c.at("wage") - 1e-12);
        EXPECT_NEAR(k.at("wage"), k.at("competitive_wage"), 1e-9);
        EXPECT_GE(c.at("shortfall"), -1e-12);
      }
}

TEST(CollectiveBoycott, ThresholdAboveProspectsNeverBinds) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const auto o = run({{"prospects", std::int64_t{200}}, {"threshold", std::int64_t{201}}, {"rounds", std::int64_t{40}},
                        {"experimentation", 0.0}, {"wage_cap", 0.5}},
                       seed);
    EXPECT_EQ(o.at("binding_rate"), 0);
    EXPECT_EQ(o.at("boycott_success"), 0);
    EXPECT_EQ(o.at("defections"), 0);
    EXPECT_DOUBLE_EQ(o.at("wage"), 0.5);
  }
}

// Without divide and conquer a reachable threshold wins a wage; with it and no detection
// the cartel peels (m < K whenever threshold > 1) and no boycott wins; with certain
// detection peeling is impossible and the boycott wins again.
TEST(CollectiveBoycott, DivideAndConquerBreaksBoycottsUnlessDetected) {
  const std::vector<std::pair<std::string, ms::Value>> base{
      {"prospects", std::int64_t{200}}, {"threshold", std::int64_t{20}}, {"rounds", std::int64_t{20}}};
  auto plain = base, peel = base, caught = base;
  peel.push_back({"divide_and_conquer", true});
  peel.push_back({"detect_prob", 0.0});
  caught.push_back({"divide_and_conquer", true});
  caught.push_back({"detect_prob", 1.0});
  const auto a = run(plain, 5), b = run(peel, 5), c = run(caught, 5);
  EXPECT_GT(a.at("boycott_success"), 0.9);
  EXPECT_EQ(b.at("boycott_success"), 0);
  EXPECT_GT(b.at("defections"), 0);
  EXPECT_EQ(c.at("defections"), 0);
  EXPECT_EQ(c.at("boycott_success"), a.at("boycott_success"));
  EXPECT_LT(b.at("wage"), a.at("wage"));
  EXPECT_THROW(run({{"games", 20.0}}, 1), ms::Error);
}

// Outputs recorded before the `disclosure` parameter existed (same seeds): the default
// rule, and `private` set explicitly, must reproduce them bit for bit. Case 1 has divide
// and conquer with detections and fines, so the detection draws are covered too.
TEST(CollectiveBoycott, PrivateDisclosureKeepsTheRecordedOutputs) {
  using Case = std::vector<std::pair<std::string, ms::Value>>;
  const std::map<std::string, double> defaults{{"wage", 1.844069757298977}, {"competitive_wage", 12.008513714018054}, {"shortfall", 0.84643646988999854}, {"boycott_success", 0.94999999999999996}, {"binding_rate", 0.94999999999999996}, {"pledgers", 680.35000000000002}, {"defections", 0}, {"side_payments", 0}, {"college_revenue", 237.11694727055701}, {"college_profit", 218.67624969756719}, {"prospects_surplus", 1519.1148864972208}, {"first_success_round", 2}, {"gini_earnings", 0.17491153935103196}};
  const std::map<std::string, double> peeling{{"wage", 0.81222198612928709}, {"competitive_wage", 12.049037564743401}, {"shortfall", 0.93259030177597546}, {"boycott_success", 0.55000000000000004}, {"binding_rate", 1}, {"pledgers", 576.45000000000005}, {"defections", 159.90000000000001}, {"side_payments", 927.66550137917659}, {"college_revenue", 242.44574504451998}, {"college_profit", 225.04687016943535}, {"prospects_surplus", 1460.9965483638748}, {"first_success_round", 5}, {"gini_earnings", 0.20449801197665324}};
  const Case cases[] = {{{"rounds", std::int64_t{20}}},
                        {{"rounds", std::int64_t{20}}, {"divide_and_conquer", true}, {"threshold", std::int64_t{300}}}};
  const std::uint64_t seeds[] = {7, 11};
  const std::map<std::string, double>* recorded[] = {&defaults, &peeling};
  for (int c = 0; c < 2; ++c)
    for (const bool explicit_private : {false, true}) {
      Case set = cases[c];
      if (explicit_private) set.push_back({"disclosure", std::string("private")});
      const auto o = run(set, seeds[c]);
      ASSERT_EQ(o.size(), recorded[c]->size());
      for (const auto& [name, value] : *recorded[c]) EXPECT_EQ(o.at(name), value) << "case " << c << ": " << name;
    }
}

// Under `public` every side deal is seen by the pact, so it is detected with certainty:
// whatever detect_prob says, the run is bit for bit the private run with detect_prob = 1
// (the cartel never peels: no defections, no side payments). Without divide and conquer
// there is no side deal to publish and the rule changes nothing.
TEST(CollectiveBoycott, PublicSideDealsAreAlwaysDetected) {
  const std::vector<std::pair<std::string, ms::Value>> base{
      {"prospects", std::int64_t{300}}, {"threshold", std::int64_t{150}}, {"rounds", std::int64_t{30}}};
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    auto certain = base;
    certain.push_back({"divide_and_conquer", true});
    certain.push_back({"detect_prob", 1.0});
    const auto reference = run(certain, seed);
    for (const double d : {0.0, 0.5}) {
      auto pub = base;
      pub.push_back({"divide_and_conquer", true});
      pub.push_back({"detect_prob", d});
      pub.push_back({"disclosure", std::string("public")});
      EXPECT_EQ(run(pub, seed), reference) << "seed " << seed << ", detect_prob " << d;
    }
    EXPECT_EQ(reference.at("defections"), 0);
    EXPECT_EQ(reference.at("side_payments"), 0);
    auto plain_public = base;
    plain_public.push_back({"disclosure", std::string("public")});
    EXPECT_EQ(run(plain_public, seed), run(base, seed)) << "seed " << seed;
  }
}

// Where private peeling pays (threshold 150 of 300 prospects: detect_prob 0.5 < (threshold
// - 1) / K for every binding K < 298), publishing the terms saves the boycott: over 12 paired
// replications (same prospects), public minus private is positive for boycott success,
// the wage and the prospects' surplus and negative for college profit, each with its
// 95% CI excluding 0.
TEST(CollectiveBoycott, PublicDisclosureProtectsTheBoycottFromPeeling) {
  const std::vector<std::pair<std::string, ms::Value>> base{
      {"prospects", std::int64_t{300}}, {"threshold", std::int64_t{150}}, {"rounds", std::int64_t{30}},
      {"divide_and_conquer", true}, {"detect_prob", 0.5}};
  const char* outcomes[] = {"boycott_success", "wage", "prospects_surplus", "college_profit"};
  std::map<std::string, std::vector<double>> diff;
  double private_defections = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    auto pub = base;
    pub.push_back({"disclosure", std::string("public")});
    const auto a = run(base, seed), b = run(pub, seed);
    private_defections += a.at("defections");
    for (const char* k : outcomes) diff[k].push_back(b.at(k) - a.at(k));
  }
  EXPECT_GT(private_defections, 0);  // the private cartel did peel
  for (const char* k : outcomes) {
    const auto s = ms::analysis::summarize(diff[k]);
    const double sign = std::string(k) == "college_profit" ? -1.0 : 1.0;
    EXPECT_GT(sign * s.mean - s.half_width, 0) << k << ": mean " << s.mean << " +- " << s.half_width;
  }
}

TEST(CollectiveBoycott, DisclosureAcceptsPrivateOrPublicOnly) {
  for (const char* bad : {"group", "delayed", "pubic", ""}) {
    try {
      run({{"disclosure", std::string(bad)}, {"rounds", std::int64_t{1}}}, 1);
      ADD_FAILURE() << "accepted disclosure = " << bad;
    } catch (const ms::Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("disclosure"), std::string::npos) << what;
      EXPECT_NE(what.find("private"), std::string::npos) << what;
      EXPECT_NE(what.find("public"), std::string::npos) << what;
    }
  }
}
