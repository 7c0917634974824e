#pragma once
// Running a sweep end to end: journal (durability), executor (parallel work), store
// (the HDF5 file), resume and interruption.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/executor.hpp"
#include "sim/store.hpp"
#include "sim/sweep.hpp"

namespace marketsim {

struct SweepOptions {
  std::string out;               // HDF5 path; empty: keep results in memory only
  int threads = 0;               // 0: all cores
  bool resume = false;           // continue from `<out>.journal`
  std::atomic<bool>* stop = nullptr;                        // set it to interrupt
  std::function<void(std::size_t done, std::size_t total)> progress;  // caller's thread
  std::function<void(std::size_t task, const RunResult&)> on_result;   // every result, resumed ones too
  Provenance provenance;
};

struct SweepOutcome {
  std::size_t total = 0;
  std::size_t completed = 0;  // including resumed
  std::size_t resumed = 0;    // read back from the journal
  bool interrupted = false;
  std::vector<double> scalars;      // [task * n_scalars + s]; NaN where not done
  std::vector<std::uint8_t> done;   // per task
};

std::string journal_path(const std::string& out);

SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& options, Executor* executor = nullptr);

}  // namespace marketsim
