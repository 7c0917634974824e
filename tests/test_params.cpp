// Parameter schemas: every kind of error names the scenario and key and says what is
// allowed; symbolic defaults follow their parameter; cross-parameter checks hold.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "sim/error.hpp"
#include "sim/params.hpp"
#include "sim/sweep.hpp"

namespace ms = marketsim;

namespace {

std::shared_ptr<const ms::Schema> city_schema() {
  auto s = std::make_shared<ms::Schema>();
  s->integer("cities", 50, {2, 1e6}, "cities", "number of cities");
  s->integer("threshold", 0, {1, 1e7}, "cities", "signers needed");
  s->symbol("threshold", "all", "cities", /*is_default=*/true);
  s->integer("club_size", 5, {1, 1e6}, "suppliers", "club size");
  s->integer("suppliers", 20, {1, 1e6}, "suppliers", "suppliers");
  s->real("match", 5.0, {0, 100}, "1", "match ratio");
  s->boolean("bias_aware", false, "correct for bias");
  s->choice("rule", "match", {"match", "cap", "ban"}, "pact rule");
  s->check({"club_size", "suppliers"}, "club_size <= suppliers",
           [](const ms::Params& p) { return p.integer("club_size") <= p.integer("suppliers"); });
  return s;
}

std::string error_of(const std::vector<ms::Assignment>& a) {
  try {
    ms::resolve(city_schema(), a, "toy");
  } catch (const ms::Error& e) {
    return e.what();
  }
  return "";
}

ms::Assignment text(const std::string& k, const std::string& v) { return {k, v, "--set " + k, true}; }

}  // namespace

TEST(Params, DefaultsResolve) {
  auto p = ms::resolve(city_schema(), {}, "toy");
  EXPECT_EQ(p.integer("cities"), 50);
  EXPECT_EQ(p.integer("threshold"), 50);  // "all" follows cities
  EXPECT_DOUBLE_EQ(p.real("match"), 5.0);
  EXPECT_FALSE(p.boolean("bias_aware"));
  EXPECT_EQ(p.choice("rule"), "match");
}

TEST(Params, SymbolicDefaultFollowsItsParameter) {
  EXPECT_EQ(ms::resolve(city_schema(), {text("cities", "7")}, "toy").integer("threshold"), 7);
  EXPECT_EQ(ms::resolve(city_schema(), {text("cities", "7"), text("threshold", "3")}, "toy").integer("threshold"), 3);
  EXPECT_EQ(ms::resolve(city_schema(), {text("cities", "9"), text("threshold", "all")}, "toy").integer("threshold"), 9);
  std::string e = error_of({text("threshold", "most")});
  EXPECT_NE(e.find("'threshold' expects an integer or \"all\" (= cities)"), std::string::npos) << e;
}

TEST(Params, UnknownKeySuggestsNearestAndListsValid) {
  std::string e = error_of({text("citeis", "3")});
  EXPECT_NE(e.find("--set citeis: toy: unknown parameter 'citeis'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'cities'?"), std::string::npos) << e;
  EXPECT_NE(e.find("Valid parameters: cities, threshold, club_size, suppliers, match, bias_aware, rule"), std::string::npos) << e;
  e = error_of({text("zzzzzzzzz", "3")});
  EXPECT_EQ(e.find("did you mean"), std::string::npos) << e;
}

TEST(Params, OutOfRangeGivesTheRange) {
  std::string e = error_of({text("cities", "1")});
  EXPECT_NE(e.find("toy: parameter 'cities' = 1 is out of range [2, 1000000]"), std::string::npos) << e;
  e = error_of({text("match", "100.5")});
  EXPECT_NE(e.find("'match' = 100.5 is out of range [0, 100]"), std::string::npos) << e;
}

TEST(Params, WrongTypeSaysTheExpectedType) {
  EXPECT_NE(error_of({text("cities", "many")}).find("'cities' expects an integer, got 'many'"), std::string::npos);
  EXPECT_NE(error_of({text("cities", "2.5")}).find("expects an integer"), std::string::npos);
  EXPECT_NE(error_of({text("match", "x")}).find("'match' expects a real number, got 'x'"), std::string::npos);
  EXPECT_NE(error_of({text("bias_aware", "maybe")}).find("expects true or false"), std::string::npos);
  EXPECT_NE(error_of({{"match", std::string("high"), "f.toml:3", false}}).find("f.toml:3: toy: parameter 'match' expects a real number"),
            std::string::npos);
  EXPECT_NE(error_of({{"cities", true, "", false}}).find("expects an integer"), std::string::npos);
}

TEST(Params, TextForms) {
  auto p = ms::resolve(city_schema(), {text("cities", "1e3"), text("bias_aware", "yes"), text("match", "0.25")}, "toy");
  EXPECT_EQ(p.integer("cities"), 1000);
  EXPECT_TRUE(p.boolean("bias_aware"));
  EXPECT_DOUBLE_EQ(p.real("match"), 0.25);
  // An integer is a valid real.
  EXPECT_DOUBLE_EQ(ms::resolve(city_schema(), {{"match", std::int64_t{2}, "", false}}, "toy").real("match"), 2.0);
}

TEST(Params, ChoiceListsValidOnes) {
  std::string e = error_of({text("rule", "cpa")});
  EXPECT_NE(e.find("'rule' = \"cpa\" is not one of: match, cap, ban (did you mean 'cap'?)"), std::string::npos) << e;
}

TEST(Params, CrossParameterCheck) {
  std::string e = error_of({text("club_size", "30")});
  EXPECT_NE(e.find("toy: parameters violate 'club_size <= suppliers' (club_size = 30, suppliers = 20)"), std::string::npos) << e;
  EXPECT_NO_THROW(ms::resolve(city_schema(), {text("club_size", "30"), text("suppliers", "30")}, "toy"));
}

TEST(Params, ToTomlListsEveryValue) {
  auto p = ms::resolve(city_schema(), {text("rule", "cap")}, "toy");
  EXPECT_EQ(p.to_toml(),
            "cities = 50\nthreshold = 50\nclub_size = 5\nsuppliers = 20\nmatch = 5.0\nbias_aware = false\nrule = \"cap\"\n");
}

TEST(Params, ConfigFileErrorsNameFileAndLine) {
  const std::string path = ::testing::TempDir() + "broken_config.toml";
  {
    std::ofstream f(path);
    f << "agents = 10\nrule = \"unit\n";
  }
  try {
    ms::read_config(path);
    FAIL() << "no error";
  } catch (const ms::Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":2:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("TOML syntax error"), std::string::npos) << e.what();
  }
  {
    std::ofstream f(path);
    f << "# comment\ncities = 10\nmatch = \"lots\"\n";
  }
  auto a = ms::read_config(path);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[1].origin, path + ":3");
  EXPECT_THROW(ms::read_config(path + ".missing"), ms::Error);
  std::remove(path.c_str());
}

TEST(Params, EditDistance) {
  EXPECT_EQ(ms::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(ms::nearest("agnets", {"agents", "rounds"}), "agents");
  EXPECT_EQ(ms::nearest("xyz", {"agents", "rounds"}), "");
}

TEST(Params, ListOfReals) {
  auto s = std::make_shared<ms::Schema>();
  s->real_list("values", {1.0, 2.0}, {0, 10}, "1", "unit values");
  EXPECT_EQ(ms::resolve(s, {}, "toy").reals("values"), (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(ms::resolve(s, {text("values", "3, 4.5,5")}, "toy").reals("values"), (std::vector<double>{3, 4.5, 5}));
  EXPECT_EQ(ms::resolve(s, {text("values", "[7]")}, "toy").reals("values"), (std::vector<double>{7}));
  EXPECT_EQ(ms::resolve(s, {{"values", std::vector<double>{0.5}, "f.toml:2", false}}, "toy").reals("values"),
            (std::vector<double>{0.5}));
  EXPECT_EQ(ms::resolve(s, {text("values", "[]")}, "toy").reals("values"), std::vector<double>{});
  try {
    ms::resolve(s, {text("values", "1,x")}, "toy");
    FAIL();
  } catch (const ms::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'values' expects a list of real numbers, got '1,x'"), std::string::npos) << e.what();
  }
  try {
    ms::resolve(s, {text("values", "1,12")}, "toy");
    FAIL();
  } catch (const ms::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'values' element 1 = 12.0 is out of range [0, 10]"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ms::to_string(ms::Value(std::vector<double>{1, 2.5})), "[1.0, 2.5]");
  EXPECT_THROW(ms::resolve(s, {{"values", 3.0, "", false}}, "toy"), ms::Error);
}
