#pragma once
// The HDF5 store: one file per sweep, valid netCDF-4 (a dimension scale on every axis),
// so xarray.open_dataset(path, engine="h5netcdf") opens it with labelled dimensions.
// Layout: docs/hdf5-format.md.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/sweep.hpp"

namespace marketsim {

// Provenance: allowed to differ between files of identical content.
struct Provenance {
  int threads = 1;
  int ranks = 1;
  std::string command;
};

// Written by one thread. Completed runs are buffered and written in blocks aligned to
// the datasets' chunks; the file lives at `<path>.part` until commit() renames it.
class Store {
 public:
  Store(const SweepPlan& plan, const std::string& path, const Provenance& provenance);
  ~Store();  // without commit(): closes and removes the .part file
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  void put(std::size_t task, RunResult&& result);
  // Writes the remaining blocks, closes, fsyncs and renames into place.
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The attributes that record how and where a file was made, not what it holds.
const std::vector<std::string>& provenance_attributes();

// Differences in content between two files: datasets (values bit for bit, shapes, types,
// dimension names) and attributes, ignoring provenance. Empty when identical.
std::vector<std::string> diff_files(const std::string& a, const std::string& b);

// One per-run scalar outcome of a grid sweep file, with its axes (`marketsim phase`).
struct GridOutcome {
  std::string scenario;
  std::vector<std::string> dims;                 // the sweep axes, then "replication"
  std::vector<std::vector<std::string>> coords;  // axis values as text (not replication)
  std::vector<std::size_t> shape;                // along dims
  std::vector<double> values;                    // row-major over dims
  std::vector<std::uint8_t> done;                // per run, the same order
};
// Errors name the file and, for a wrong outcome name, the outcomes it holds.
GridOutcome read_grid_outcome(const std::string& path, const std::string& outcome);

// A human-readable description of a file (`marketsim info`).
std::string describe_file(const std::string& path);

// Checks that `path` can be written (its folder exists and is writable) before any work.
void check_writable(const std::string& path);

}  // namespace marketsim
