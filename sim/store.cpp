#include "sim/store.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <unordered_map>

#include "sim/error.hpp"
#include "sim/version.hpp"

namespace marketsim {

namespace {

constexpr std::size_t kTargetChunkBytes = 1 << 20;

// RAII for HDF5 identifiers.
class H5 {
 public:
  H5() = default;
  H5(hid_t id, const char* what) : id_(id) {
    if (id < 0) throw Error(std::string("HDF5 error: ") + what);
  }
  H5(const H5&) = delete;
  H5& operator=(const H5&) = delete;
  H5(H5&& o) noexcept : id_(o.id_) { o.id_ = -1; }
  H5& operator=(H5&& o) noexcept {
    std::swap(id_, o.id_);
    return *this;
  }
  ~H5() { reset(); }
  void reset() {
    if (id_ >= 0) {
      switch (H5Iget_type(id_)) {
        case H5I_FILE: H5Fclose(id_); break;
        case H5I_DATASET: H5Dclose(id_); break;
        case H5I_DATASPACE: H5Sclose(id_); break;
        case H5I_DATATYPE: H5Tclose(id_); break;
        case H5I_ATTR: H5Aclose(id_); break;
        case H5I_GENPROP_LST: H5Pclose(id_); break;
        case H5I_GROUP: H5Gclose(id_); break;
        default: break;
      }
    }
    id_ = -1;
  }
  operator hid_t() const { return id_; }

 private:
  hid_t id_ = -1;
};

void ok(herr_t status, const char* what) {
  if (status < 0) throw Error(std::string("HDF5 error: ") + what);
}

H5 string_type() {
  H5 t(H5Tcopy(H5T_C_S1), "string type");
  ok(H5Tset_size(t, H5T_VARIABLE), "string size");
  ok(H5Tset_cset(t, H5T_CSET_UTF8), "string charset");
  return t;
}

void attr_string(hid_t obj, const char* name, const std::string& value) {
  H5 type = string_type();
  H5 space(H5Screate(H5S_SCALAR), "scalar space");
  H5 attr(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), name);
  const char* p = value.c_str();
  ok(H5Awrite(attr, type, &p), name);
}

template <class T>
void attr_numbers(hid_t obj, const char* name, hid_t type, const std::vector<T>& values) {
  hsize_t n = values.size();
  H5 space(n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), "attribute space");
  H5 attr(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), name);
  ok(H5Awrite(attr, type, values.data()), name);
}

std::string now_iso8601() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string hostname() {
  char buf[256] = {0};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

// Creates a dataset; chunked and compressed when it is not tiny.
H5 create_dataset(hid_t file, const std::string& name, hid_t type, const std::vector<hsize_t>& dims,
                  const std::vector<hsize_t>& chunk, const void* fill) {
  H5 space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "dataspace");
  H5 dcpl(H5Pcreate(H5P_DATASET_CREATE), "dcpl");
  bool empty = std::any_of(dims.begin(), dims.end(), [](hsize_t d) { return d == 0; });
  if (!chunk.empty() && !empty) {
    ok(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), "chunk");
    ok(H5Pset_shuffle(dcpl), "shuffle");
    ok(H5Pset_deflate(dcpl, 4), "deflate");
  }
  if (fill) ok(H5Pset_fill_value(dcpl, type, fill), "fill value");
  return H5(H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), name.c_str());
}

void write_all(hid_t dset, hid_t type, const void* data) {
  ok(H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write");
}

void write_block(hid_t dset, hid_t type, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
                 const void* data) {
  H5 file_space(H5Dget_space(dset), "space");
  ok(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), "hyperslab");
  H5 mem_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), "memory space");
  ok(H5Dwrite(dset, type, mem_space, file_space, H5P_DEFAULT, data), "block write");
}

// A coordinate variable that is also a netCDF dimension.
H5 write_coordinate(hid_t file, const std::string& name, const std::vector<Value>& values, const std::string& unit,
                    const std::string& doc) {
  const hsize_t n = values.size();
  H5 dset;
  bool strings = !values.empty() && std::holds_alternative<std::string>(values[0]);
  bool reals = !values.empty() && std::holds_alternative<double>(values[0]);
  if (strings) {
    H5 type = string_type();
    dset = create_dataset(file, name, type, {n}, {}, nullptr);
    std::vector<const char*> p;
    for (const auto& v : values) p.push_back(std::get<std::string>(v).c_str());
    write_all(dset, type, p.data());
  } else if (reals) {
    dset = create_dataset(file, name, H5T_NATIVE_DOUBLE, {n}, {}, nullptr);
    std::vector<double> x;
    for (const auto& v : values) x.push_back(std::get<double>(v));
    write_all(dset, H5T_NATIVE_DOUBLE, x.data());
  } else {
    dset = create_dataset(file, name, H5T_NATIVE_INT64, {n}, {}, nullptr);
    std::vector<std::int64_t> x;
    for (const auto& v : values)
      x.push_back(std::holds_alternative<bool>(v) ? std::get<bool>(v) : std::get<std::int64_t>(v));
    write_all(dset, H5T_NATIVE_INT64, x.data());
  }
  ok(H5DSset_scale(dset, name.c_str()), "dimension scale");
  if (!unit.empty()) attr_string(dset, "units", unit);
  if (!doc.empty()) attr_string(dset, "long_name", doc);
  return dset;
}

// `name = value` lines of the parameters that are the same at every point of a plan.
std::string fixed_parameters(const SweepPlan& plan) {
  std::string out;
  const auto& specs = plan.scenario->schema->params();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const Value& v = plan.points.front().values()[i];
    bool same = true;
    for (const auto& p : plan.points) same = same && p.values()[i] == v;
    if (same) out += specs[i].name + " = " + to_string(v) + "\n";
  }
  return out;
}

std::vector<Value> index_values(std::size_t n, std::int64_t step = 1) {
  std::vector<Value> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back(static_cast<std::int64_t>(i) * step);
  return v;
}

}  // namespace

const std::vector<std::string>& provenance_attributes() {
  // How and where a file was made; the build is here too (the datasets say whether two
  // builds agree), and so is the plan fingerprint, which hashes the build id.
  static const std::vector<std::string> names = {"created", "host", "threads", "ranks", "command",
                                                 "hdf5_version", "marketsim_build", "plan_fingerprint"};
  return names;
}

void check_writable(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(fmt::format("cannot write '{}': folder '{}' does not exist", path, dir.string()));
  if (fs::is_directory(p, ec)) throw Error(fmt::format("cannot write '{}': it is a folder", path));
  if (::access(dir.c_str(), W_OK) != 0)
    throw Error(fmt::format("cannot write '{}': folder '{}' is not writable", path, dir.string()));
  if (fs::exists(p, ec) && ::access(p.c_str(), W_OK) != 0)
    throw Error(fmt::format("cannot write '{}': the file exists and is not writable", path));
}

struct Store::Impl {
  const SweepPlan& plan;
  std::string path, part;
  H5 file;
  std::vector<H5> scalars, series, vectors;
  H5 done;
  std::vector<hsize_t> lead_shape;  // point dims but the last
  std::size_t n_last = 1, chunk_points = 1, blocks_per_lead = 1;
  std::vector<std::size_t> remaining;  // tasks still missing per block
  std::unordered_map<std::size_t, RunResult> pending;
  bool committed = false;

  std::size_t block_of(std::size_t point) const {
    return (point / n_last) * blocks_per_lead + (point % n_last) / chunk_points;
  }
  std::pair<std::size_t, std::size_t> block_points(std::size_t block) const {
    std::size_t lead = block / blocks_per_lead, j = block % blocks_per_lead;
    std::size_t first = lead * n_last + j * chunk_points;
    return {first, std::min(first + chunk_points, lead * n_last + n_last)};
  }

  void flush_block(std::size_t block);
};

Store::Store(const SweepPlan& plan, const std::string& path, const Provenance& prov)
    : impl_(new Impl{plan, path, path + ".part", {}, {}, {}, {}, {}, {}, 1, 1, 1, {}, {}, false}) {
  auto& im = *impl_;
  const ScenarioInfo& info = *plan.scenario;
  check_writable(path);
  try {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become one-line messages, not stack dumps
  std::remove(im.part.c_str());
  H5 fapl(H5Pcreate(H5P_FILE_ACCESS), "fapl");
  // HDF5 1.8 format or later: large metadata attributes go to dense storage.
  ok(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST), "format bounds");
  H5 fcpl(H5Pcreate(H5P_FILE_CREATE), "fcpl");
  ok(H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), "creation order");
  im.file = H5(H5Fcreate(im.part.c_str(), H5F_ACC_TRUNC, fcpl, fapl),
               fmt::format("cannot create '{}'", im.part).c_str());

  // Root attributes: what the file is, and everything needed to reproduce it.
  attr_string(im.file, "title", fmt::format("marketsim {} {}", info.name, plan.single_run ? "run" : "sweep"));
  attr_string(im.file, "marketsim_version", kVersion);
  attr_string(im.file, "marketsim_build", kBuildId);
  attr_string(im.file, "scenario", info.name);
  attr_string(im.file, "scenario_summary", info.summary);
  attr_string(im.file, "design", plan.single_run ? "single"
                                 : plan.spec.design == Design::Grid ? "grid"
                                 : plan.spec.design == Design::Random ? "random" : "latin_hypercube");
  attr_string(im.file, "schema", info.schema->to_toml());
  if (plan.single_run) {
    // `marketsim run NAME --config <run_config> --seed <run_seed>` reproduces it.
    attr_string(im.file, "run_config", plan.points.front().to_toml());
    attr_numbers<std::uint64_t>(im.file, "run_seed", H5T_NATIVE_UINT64, {plan.seeds.front()});
  } else {
    attr_string(im.file, "sweep_spec", plan.spec.to_toml());
    attr_string(im.file, "fixed_parameters", fixed_parameters(plan));
    attr_string(im.file, "seeding", plan.spec.independent_seeds ? "independent" : "common");
    attr_numbers<std::uint64_t>(im.file, "base_seed", H5T_NATIVE_UINT64, {plan.spec.seed});
  }
  attr_numbers<std::int64_t>(im.file, "replications", H5T_NATIVE_INT64, {plan.replications});
  attr_string(im.file, "plan_fingerprint", fmt::format("{:016x}", plan.fingerprint));
  attr_string(im.file, "created", now_iso8601());
  attr_string(im.file, "host", hostname());
  attr_numbers<std::int64_t>(im.file, "threads", H5T_NATIVE_INT64, {prov.threads});
  attr_numbers<std::int64_t>(im.file, "ranks", H5T_NATIVE_INT64, {prov.ranks});
  attr_string(im.file, "command", prov.command);
  unsigned maj, min, rel;
  H5get_libversion(&maj, &min, &rel);
  attr_string(im.file, "hdf5_version", fmt::format("{}.{}.{}", maj, min, rel));

  // Dimensions.
  std::vector<H5> point_scales;
  std::string coordinates;  // sampled parameters, as coordinates along `point`
  const auto& schema = *info.schema;
  auto unit_of = [&](const std::string& name) { return schema.find(name) ? schema.find(name)->unit : std::string(); };
  auto doc_of = [&](const std::string& name) { return schema.find(name) ? schema.find(name)->doc : std::string(); };
  if (plan.spec.design == Design::Grid) {
    for (const auto& c : plan.coords) point_scales.push_back(write_coordinate(im.file, c.name, c.values, unit_of(c.name), doc_of(c.name)));
  } else {
    point_scales.push_back(write_coordinate(im.file, "point", index_values(plan.n_points()), "", "sampled point"));
    for (const auto& c : plan.coords) {
      H5 v = create_dataset(im.file, c.name, std::holds_alternative<double>(c.values[0]) ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64,
                            {plan.n_points()}, {}, nullptr);
      std::vector<double> d;
      std::vector<std::int64_t> i;
      for (const auto& x : c.values) std::holds_alternative<double>(x) ? d.push_back(std::get<double>(x)) : i.push_back(std::get<std::int64_t>(x));
      if (!d.empty()) write_all(v, H5T_NATIVE_DOUBLE, d.data());
      else write_all(v, H5T_NATIVE_INT64, i.data());
      ok(H5DSattach_scale(v, point_scales[0], 0), "attach");
      if (!unit_of(c.name).empty()) attr_string(v, "units", unit_of(c.name));
      attr_string(v, "long_name", doc_of(c.name));
      coordinates += (coordinates.empty() ? "" : " ") + c.name;
    }
  }
  const auto R = static_cast<hsize_t>(plan.replications);
  H5 rep_scale = write_coordinate(im.file, "replication", index_values(R), "", "replication");
  H5 round_scale;
  if (!info.series.empty())
    round_scale = write_coordinate(im.file, "round", index_values(plan.max_samples, plan.points.front().integer("record_every")),
                                   "rounds", "round after which the series was sampled");
  std::map<std::string, H5> vector_scales;
  for (std::size_t v = 0; v < info.vectors.size(); ++v)
    if (!vector_scales.count(info.vectors[v].dim))
      vector_scales[info.vectors[v].dim] = write_coordinate(im.file, info.vectors[v].dim, index_values(plan.max_vector[v]), "", "index");

  // Blocks: consecutive points along the last point dimension, sized so one block of
  // the largest output is about kTargetChunkBytes.
  std::vector<hsize_t> point_dims(plan.shape.begin(), plan.shape.end());
  if (!point_dims.empty()) {
    im.n_last = point_dims.back();
    im.lead_shape.assign(point_dims.begin(), point_dims.end() - 1);
  }
  std::size_t widest = std::max<std::size_t>(1, plan.max_samples);
  for (auto m : plan.max_vector) widest = std::max(widest, m);
  const std::size_t per_point = static_cast<std::size_t>(R) * widest * sizeof(double);
  im.chunk_points = point_dims.empty() ? 1 : std::clamp<std::size_t>(kTargetChunkBytes / per_point, 1, im.n_last);
  im.blocks_per_lead = (im.n_last + im.chunk_points - 1) / im.chunk_points;
  const std::size_t n_blocks = (plan.n_points() / im.n_last) * im.blocks_per_lead;
  im.remaining.assign(n_blocks, 0);
  for (std::size_t p = 0; p < plan.n_points(); ++p) im.remaining[im.block_of(p)] += static_cast<std::size_t>(R);

  auto shape_with = [&](std::vector<hsize_t> tail) {
    std::vector<hsize_t> s = point_dims;
    s.push_back(R);
    s.insert(s.end(), tail.begin(), tail.end());
    return s;
  };
  auto chunk_with = [&](hsize_t tail_len) {
    std::vector<hsize_t> c(point_dims.size(), 1);
    if (!c.empty()) c.back() = im.chunk_points;
    if (tail_len == 0) {
      c.push_back(R);
      return c;
    }
    // A point's block may exceed the target: split it along replication and the tail.
    hsize_t budget = kTargetChunkBytes / sizeof(double);
    hsize_t tail = std::min<hsize_t>(tail_len, budget);
    c.push_back(std::clamp<hsize_t>(budget / (tail * (c.empty() ? 1 : c.back())), 1, R));
    c.push_back(tail);
    return c;
  };
  auto attach = [&](hid_t dset, const std::vector<hid_t>& tail_scales) {
    unsigned idx = 0;
    for (const auto& s : point_scales) ok(H5DSattach_scale(dset, s, idx++), "attach");
    ok(H5DSattach_scale(dset, rep_scale, idx++), "attach");
    for (hid_t s : tail_scales) ok(H5DSattach_scale(dset, s, idx++), "attach");
    if (!coordinates.empty()) attr_string(dset, "coordinates", coordinates);
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();

  H5 seeds = create_dataset(im.file, "seed", H5T_NATIVE_UINT64, shape_with({}), chunk_with(0), nullptr);
  write_all(seeds, H5T_NATIVE_UINT64, plan.seeds.data());
  attach(seeds, {});
  attr_string(seeds, "long_name", "the run's 64-bit random seed (marketsim run --seed reproduces it)");
  const std::int8_t zero = 0;
  im.done = create_dataset(im.file, "done", H5T_NATIVE_INT8, shape_with({}), chunk_with(0), &zero);
  attach(im.done, {});
  attr_string(im.done, "long_name", "1 where the run completed and its outputs are stored");
  attr_numbers<std::int8_t>(im.done, "flag_values", H5T_NATIVE_INT8, {0, 1});
  attr_string(im.done, "flag_meanings", "missing complete");
  for (const auto& o : info.scalars) {
    im.scalars.push_back(create_dataset(im.file, o.name, H5T_NATIVE_DOUBLE, shape_with({}), chunk_with(0), &nan));
    attach(im.scalars.back(), {});
    attr_string(im.scalars.back(), "units", o.unit);
    attr_string(im.scalars.back(), "long_name", o.doc);
  }
  for (const auto& o : info.series) {
    im.series.push_back(create_dataset(im.file, o.name, H5T_NATIVE_DOUBLE, shape_with({plan.max_samples}),
                                       chunk_with(plan.max_samples), &nan));
    attach(im.series.back(), {round_scale});
    attr_string(im.series.back(), "units", o.unit);
    attr_string(im.series.back(), "long_name", o.doc);
  }
  for (std::size_t v = 0; v < info.vectors.size(); ++v) {
    const auto& o = info.vectors[v];
    im.vectors.push_back(create_dataset(im.file, o.name, H5T_NATIVE_DOUBLE, shape_with({plan.max_vector[v]}),
                                        chunk_with(plan.max_vector[v]), &nan));
    attach(im.vectors.back(), {vector_scales[o.dim]});
    attr_string(im.vectors.back(), "units", o.unit);
    attr_string(im.vectors.back(), "long_name", o.doc);
  }
  } catch (...) {
    // Never leave a half-made file behind.
    im.scalars.clear();
    im.series.clear();
    im.vectors.clear();
    im.done.reset();
    im.file.reset();
    std::remove(im.part.c_str());
    throw;
  }
}

Store::~Store() {
  if (impl_ && !impl_->committed) {
    impl_->scalars.clear();
    impl_->series.clear();
    impl_->vectors.clear();
    impl_->done.reset();
    impl_->file.reset();
    std::remove(impl_->part.c_str());
  }
}

void Store::put(std::size_t task, RunResult&& result) {
  auto& im = *impl_;
  const std::size_t block = im.block_of(im.plan.point_of(task));
  im.pending.emplace(task, std::move(result));
  if (--im.remaining[block] == 0) im.flush_block(block);
}

void Store::Impl::flush_block(std::size_t block) {
  const auto [first, last] = block_points(block);
  const std::size_t R = static_cast<std::size_t>(plan.replications);
  const std::size_t n = last - first, runs = n * R;
  // Hyperslab start: the leading point indices, then the first index along the last dim.
  std::vector<hsize_t> start, count;
  if (!plan.shape.empty()) {
    std::size_t lead = first / n_last;
    start.assign(lead_shape.size(), 0);
    for (std::size_t d = lead_shape.size(); d-- > 0;) {
      start[d] = lead % lead_shape[d];
      lead /= lead_shape[d];
    }
    start.push_back(first % n_last);
    count.assign(lead_shape.size(), 1);
    count.push_back(n);
  }
  start.push_back(0);
  count.push_back(R);
  std::vector<RunResult> runs_in(runs);
  for (std::size_t k = 0; k < runs; ++k) {
    auto it = pending.find(first * R + k);
    runs_in[k] = std::move(it->second);
    pending.erase(it);
  }
  std::vector<std::int8_t> ones(runs, 1);
  std::vector<double> buf;
  for (std::size_t s = 0; s < scalars.size(); ++s) {
    buf.resize(runs);
    for (std::size_t k = 0; k < runs; ++k) buf[k] = runs_in[k].scalars[s];
    write_block(scalars[s], H5T_NATIVE_DOUBLE, start, count, buf.data());
  }
  auto write_tail = [&](const H5& dset, auto get, std::size_t width) {
    buf.assign(runs * width, std::numeric_limits<double>::quiet_NaN());  // NaN-pad shorter runs
    for (std::size_t k = 0; k < runs; ++k) {
      const std::vector<double>& x = get(runs_in[k]);
      std::copy(x.begin(), x.end(), buf.begin() + static_cast<std::ptrdiff_t>(k * width));
    }
    auto s = start, c = count;
    s.push_back(0);
    c.push_back(width);
    if (width > 0) write_block(dset, H5T_NATIVE_DOUBLE, s, c, buf.data());
  };
  for (std::size_t s = 0; s < series.size(); ++s)
    write_tail(series[s], [s](const RunResult& r) -> const std::vector<double>& { return r.series[s]; }, plan.max_samples);
  for (std::size_t v = 0; v < vectors.size(); ++v)
    write_tail(vectors[v], [v](const RunResult& r) -> const std::vector<double>& { return r.vectors[v]; }, plan.max_vector[v]);
  write_block(done, H5T_NATIVE_INT8, start, count, ones.data());
}

void Store::commit() {
  auto& im = *impl_;
  for (std::size_t b = 0; b < im.remaining.size(); ++b)
    if (im.remaining[b] != 0) throw Error("internal error: committing an incomplete sweep");
  im.scalars.clear();
  im.series.clear();
  im.vectors.clear();
  im.done.reset();
  ok(H5Fflush(im.file, H5F_SCOPE_GLOBAL), "flush");
  im.file.reset();
  int fd = ::open(im.part.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (std::rename(im.part.c_str(), im.path.c_str()) != 0)
    throw Error(fmt::format("cannot rename '{}' to '{}': {}", im.part, im.path, std::strerror(errno)));
  im.committed = true;
  // Make the rename itself durable.
  const std::string dir = std::filesystem::path(im.path).has_parent_path()
                              ? std::filesystem::path(im.path).parent_path().string() : ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace marketsim
