// The HDF5 store and the journal: round trip, NaN padding, interruption and resume.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "sim/error.hpp"
#include "sim/journal.hpp"
#include "sim/runner.hpp"
#include "sim/store.hpp"

namespace ms = marketsim;
namespace fs = std::filesystem;

namespace {

std::string temp(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / "marketsim_store";
  fs::create_directories(dir);
  fs::path p = dir / name;
  fs::remove(p);
  fs::remove(p.string() + ".journal");
  fs::remove(p.string() + ".part");
  return p.string();
}

std::vector<double> read_doubles(const std::string& path, const std::string& name, std::vector<hsize_t>* shape = nullptr) {
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
  hid_t s = H5Dget_space(d);
  std::vector<double> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(s)));
  if (shape) {
    shape->resize(static_cast<std::size_t>(H5Sget_simple_extent_ndims(s)));
    H5Sget_simple_extent_dims(s, shape->data(), nullptr);
  }
  H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(s);
  H5Dclose(d);
  H5Fclose(f);
  return out;
}

ms::SweepPlan toy_plan(int replications = 3) {
  return ms::plan_sweep(ms::SweepSpec::from_string(
      "scenario = \"test_toy\"\nreplications = " + std::to_string(replications) +
          "\nseed = 4\n[axes]\nwalkers = [2, 6]\nrounds = [2, 4]\nstep = [0.5, 1.0, 2.0]\n",
      "toy.toml"));
}

}  // namespace

TEST(Store, RoundTripWithPadding) {
  auto plan = toy_plan();
  const std::string out = temp("roundtrip.h5");
  std::vector<ms::RunResult> results(plan.n_tasks());
  ms::SweepOptions opt;
  opt.out = out;
  opt.on_result = [&](std::size_t t, const ms::RunResult& r) { results[t] = r; };
  auto o = ms::run_sweep(plan, opt);
  ASSERT_FALSE(o.interrupted);
  ASSERT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out + ".part"));
  EXPECT_FALSE(fs::exists(out + ".journal"));

  std::vector<hsize_t> shape;
  auto final_mean = read_doubles(out, "final_mean", &shape);
  EXPECT_EQ(shape, (std::vector<hsize_t>{2, 2, 3, 3}));
  for (std::size_t t = 0; t < plan.n_tasks(); ++t) EXPECT_EQ(final_mean[t], results[t].scalars[0]);
  // Series: rounds 2 gives 3 samples, rounds 4 gives 5; shorter ones are NaN-padded.
  auto mean_t = read_doubles(out, "mean_t", &shape);
  EXPECT_EQ(shape, (std::vector<hsize_t>{2, 2, 3, 3, 5}));
  for (std::size_t t = 0; t < plan.n_tasks(); ++t) {
    const auto& s = results[t].series[0];
    for (std::size_t k = 0; k < 5; ++k) {
      double v = mean_t[t * 5 + k];
      if (k < s.size()) EXPECT_EQ(v, s[k]);
      else EXPECT_TRUE(std::isnan(v));
    }
  }
  auto positions = read_doubles(out, "positions", &shape);
  EXPECT_EQ(shape.back(), 6u);
  EXPECT_TRUE(std::isnan(positions[2]));  // walkers = 2: positions 2..5 are padding
  auto done = read_doubles(out, "done");
  for (double d : done) EXPECT_EQ(d, 1.0);
  auto rounds = read_doubles(out, "round");
  EXPECT_EQ(rounds, (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(ms::diff_files(out, out).empty());
  EXPECT_NE(ms::describe_file(out).find("complete runs: 36 of 36"), std::string::npos);
}

TEST(Store, DiffSeesChangedValuesButNotProvenance) {
  auto plan = toy_plan(2);
  const std::string a = temp("diff_a.h5"), b = temp("diff_b.h5"), c = temp("diff_c.h5");
  ms::SweepOptions opt;
  opt.out = a;
  opt.threads = 1;
  ms::run_sweep(plan, opt);
  opt.out = b;
  opt.threads = 2;
  opt.provenance.command = "another command";
  ms::run_sweep(plan, opt);
  EXPECT_TRUE(ms::diff_files(a, b).empty());
  auto spec = plan.spec;
  spec.seed = 5;
  opt.out = c;
  ms::run_sweep(ms::plan_sweep(spec), opt);
  auto d = ms::diff_files(a, c);
  EXPECT_FALSE(d.empty());
  bool saw_values = false;
  for (const auto& line : d) saw_values |= line == "dataset final_mean: values differ";
  EXPECT_TRUE(saw_values);
}

TEST(Store, InterruptedSweepResumesToTheSameFile) {
  // Runs long enough (tens of ms) that the sweep is still going when it is stopped.
  auto plan = ms::plan_sweep(ms::SweepSpec::from_string(
      "scenario = \"boltzmann_wealth\"\nreplications = 8\n[fixed]\nagents = 20000\nrounds = 20\n"
      "[axes]\nrule = [\"unit\", \"random_split\"]\nsaving = [0.0, 0.5]\n",
      "interrupt.toml"));
  const std::string full = temp("full.h5"), part = temp("resumed.h5");
  ms::SweepOptions opt;
  opt.out = full;
  ms::run_sweep(plan, opt);

  std::atomic<bool> stop{false};
  std::size_t seen = 0;
  opt.out = part;
  opt.threads = 2;
  opt.stop = &stop;
  opt.on_result = [&](std::size_t, const ms::RunResult&) {
    if (++seen == 5) stop = true;
  };
  auto first = ms::run_sweep(plan, opt);
  EXPECT_TRUE(first.interrupted);
  EXPECT_GE(first.completed, 5u);
  EXPECT_LT(first.completed, plan.n_tasks());
  EXPECT_FALSE(fs::exists(part));
  EXPECT_FALSE(fs::exists(part + ".part"));
  ASSERT_TRUE(fs::exists(part + ".journal"));

  // Without --resume the journal is protected.
  stop = false;
  opt.on_result = nullptr;
  EXPECT_THROW(ms::run_sweep(plan, opt), ms::Error);
  opt.resume = true;
  auto second = ms::run_sweep(plan, opt);
  EXPECT_FALSE(second.interrupted);
  EXPECT_EQ(second.resumed, first.completed);
  EXPECT_TRUE(ms::diff_files(full, part).empty());
}

TEST(Journal, TornTailIsDroppedAndForeignJournalRefused) {
  const std::string path = temp("j.journal");
  ms::RunResult r{{1.0, 2.0}, {{3.0, 4.0, 5.0}}, {{6.0}}};
  {
    auto j = ms::Journal::create(path, 77, 10);
    j.append(3, r);
    j.append(5, r);
    j.sync();
  }
  {
    std::ofstream f(path, std::ios::app | std::ios::binary);
    f << "garbage-that-is-not-a-record";
  }
  std::vector<std::size_t> tasks;
  {
    auto j = ms::Journal::resume(path, 77, 10, [&](std::size_t t, ms::RunResult&& got) {
      tasks.push_back(t);
      EXPECT_EQ(got, r);
    });
    EXPECT_EQ(tasks, (std::vector<std::size_t>{3, 5}));
    j.append(7, r);  // continues after the last good record
  }
  tasks.clear();
  ms::Journal::resume(path, 77, 10, [&](std::size_t t, ms::RunResult&&) { tasks.push_back(t); });
  EXPECT_EQ(tasks, (std::vector<std::size_t>{3, 5, 7}));
  // A flipped byte inside a record ends the good prefix there.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-5, std::ios::end);
    f.put('\x7f');
  }
  tasks.clear();
  ms::Journal::resume(path, 77, 10, [&](std::size_t t, ms::RunResult&&) { tasks.push_back(t); });
  EXPECT_EQ(tasks, (std::vector<std::size_t>{3, 5}));
  try {
    ms::Journal::resume(path, 78, 10, [](std::size_t, ms::RunResult&&) {});
    FAIL();
  } catch (const ms::Error& e) {
    EXPECT_NE(std::string(e.what()).find("belongs to a different sweep"), std::string::npos);
  }
}

TEST(Store, UnwritableOutputFailsBeforeAnyWork) {
  auto plan = toy_plan(1);
  ms::SweepOptions opt;
  opt.out = "/nonexistent-folder/x.h5";
  try {
    ms::run_sweep(plan, opt);
    FAIL();
  } catch (const ms::Error& e) {
    EXPECT_NE(std::string(e.what()).find("folder '/nonexistent-folder' does not exist"), std::string::npos);
  }
}
