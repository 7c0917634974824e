// collective_boycott: the bargained wage, divide and conquer, and the scenario's
// benchmarks; docs/models/collective_boycott.md.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

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
