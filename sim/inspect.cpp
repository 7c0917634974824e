// Reading marketsim files: `marketsim info` and `marketsim diff`.
#include <hdf5.h>
#include <hdf5_hl.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <set>

#include "sim/error.hpp"
#include "sim/store.hpp"

namespace marketsim {

namespace {

// Structural attributes of dimension scales: compared through dimension names instead.
const std::set<std::string> kStructural = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "_Netcdf4Dimid"};

struct Blob {
  std::string type;  // "string" or the native type's class and size
  std::vector<hsize_t> shape;
  std::string bytes;                 // numbers, as stored
  std::vector<std::string> strings;  // strings
  bool operator==(const Blob&) const = default;
};

Blob read_blob(hid_t obj, bool attribute) {
  Blob b;
  hid_t type = attribute ? H5Aget_type(obj) : H5Dget_type(obj);
  hid_t space = attribute ? H5Aget_space(obj) : H5Dget_space(obj);
  int rank = H5Sget_simple_extent_ndims(space);
  b.shape.resize(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space, b.shape.data(), nullptr);
  auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  if (H5Tget_class(type) == H5T_STRING) {
    b.type = "string";
    hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_cset(mem, H5Tget_cset(type));
    if (H5Tis_variable_str(type) > 0) {
      H5Tset_size(mem, H5T_VARIABLE);
      std::vector<char*> p(n, nullptr);
      if (attribute) H5Aread(obj, mem, p.data());
      else H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data());
      for (auto* s : p) b.strings.emplace_back(s ? s : "");
      H5Dvlen_reclaim(mem, space, H5P_DEFAULT, p.data());
    } else {
      std::size_t size = H5Tget_size(type);
      H5Tset_size(mem, size);
      std::string raw(n * size, '\0');
      if (attribute) H5Aread(obj, mem, raw.data());
      else H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data());
      for (std::size_t i = 0; i < n; ++i) b.strings.push_back(std::string(raw.c_str() + i * size, strnlen(raw.c_str() + i * size, size)));
    }
    H5Tclose(mem);
  } else {
    hid_t native = H5Tget_native_type(type, H5T_DIR_DEFAULT);
    std::size_t size = H5Tget_size(native);
    const bool is_signed = H5Tget_class(native) == H5T_INTEGER && H5Tget_sign(native) == H5T_SGN_2;
    b.type = fmt::format("class{}x{}{}", static_cast<int>(H5Tget_class(native)), size, is_signed ? "s" : "");
    b.bytes.assign(n * size, '\0');
    if (attribute) H5Aread(obj, native, b.bytes.data());
    else H5Dread(obj, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, b.bytes.data());
    H5Tclose(native);
  }
  H5Sclose(space);
  H5Tclose(type);
  return b;
}

std::map<std::string, Blob> read_attributes(hid_t obj) {
  std::map<std::string, Blob> out;
  H5O_info_t info;
  H5Oget_info2(obj, &info, H5O_INFO_NUM_ATTRS);
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    hid_t a = H5Aopen_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT);
    char name[256];
    H5Aget_name(a, sizeof name, name);
    if (!kStructural.count(name)) out[name] = read_blob(a, true);
    H5Aclose(a);
  }
  return out;
}

std::vector<std::string> dataset_names(hid_t file) {
  std::vector<std::string> names;
  H5Ovisit2(
      file, H5_INDEX_NAME, H5_ITER_INC,
      [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(data)->push_back(name);
        return 0;
      },
      &names, H5O_INFO_BASIC);
  return names;
}

std::vector<std::string> dimension_names(hid_t dset) {
  std::vector<std::string> dims;
  hid_t space = H5Dget_space(dset);
  int rank = H5Sget_simple_extent_ndims(space);
  H5Sclose(space);
  if (H5DSis_scale(dset) > 0) {
    char name[256] = {0};
    H5DSget_scale_name(dset, name, sizeof name);
    return {name};
  }
  for (int d = 0; d < rank; ++d) {
    std::string name = "?";
    H5DSiterate_scales(
        dset, static_cast<unsigned>(d), nullptr,
        [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
          char buf[256] = {0};
          H5DSget_scale_name(scale, buf, sizeof buf);
          *static_cast<std::string*>(data) = buf;
          return 1;
        },
        &name);
    dims.push_back(name);
  }
  return dims;
}

hid_t open_file(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (::access(path.c_str(), R_OK) != 0) throw Error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  if (H5Fis_hdf5(path.c_str()) <= 0) throw Error(fmt::format("'{}' is not a readable HDF5 file", path));
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw Error(fmt::format("cannot open '{}'", path));
  return f;
}

std::string show_attr(const Blob& b) {
  if (b.type == "string") return b.strings.empty() ? "" : b.strings[0];
  if (b.type == fmt::format("class{}x8s", static_cast<int>(H5T_INTEGER)) && b.bytes.size() == 8) {
    std::int64_t v;
    std::memcpy(&v, b.bytes.data(), 8);
    return std::to_string(v);
  }
  if (b.type == fmt::format("class{}x8", static_cast<int>(H5T_INTEGER)) && b.bytes.size() == 8) {
    std::uint64_t v;
    std::memcpy(&v, b.bytes.data(), 8);
    return std::to_string(v);
  }
  return fmt::format("<{} bytes>", b.bytes.size());
}

}  // namespace

std::vector<std::string> diff_files(const std::string& a, const std::string& b) {
  hid_t fa = open_file(a), fb = open_file(b);
  std::vector<std::string> diffs;
  const auto& prov = provenance_attributes();
  auto compare_attrs = [&](const std::string& where, hid_t oa, hid_t ob) {
    auto aa = read_attributes(oa), ab = read_attributes(ob);
    std::set<std::string> names;
    for (const auto& [k, v] : aa) names.insert(k);
    for (const auto& [k, v] : ab) names.insert(k);
    for (const auto& k : names) {
      if (where == "/" && std::find(prov.begin(), prov.end(), k) != prov.end()) continue;
      if (!aa.count(k) || !ab.count(k)) diffs.push_back(fmt::format("attribute {}{} only in one file", where, k));
      else if (!(aa[k] == ab[k])) diffs.push_back(fmt::format("attribute {}{} differs", where, k));
    }
  };
  compare_attrs("/", fa, fb);
  auto na = dataset_names(fa), nb = dataset_names(fb);
  std::set<std::string> all(na.begin(), na.end());
  all.insert(nb.begin(), nb.end());
  for (const auto& name : all) {
    bool in_a = std::find(na.begin(), na.end(), name) != na.end(), in_b = std::find(nb.begin(), nb.end(), name) != nb.end();
    if (!in_a || !in_b) {
      diffs.push_back(fmt::format("dataset {} only in {}", name, in_a ? a : b));
      continue;
    }
    hid_t da = H5Dopen2(fa, name.c_str(), H5P_DEFAULT), db = H5Dopen2(fb, name.c_str(), H5P_DEFAULT);
    Blob ba = read_blob(da, false), bb = read_blob(db, false);
    if (ba.shape != bb.shape) diffs.push_back(fmt::format("dataset {}: shapes differ", name));
    else if (ba.type != bb.type) diffs.push_back(fmt::format("dataset {}: types differ", name));
    else if (!(ba == bb)) diffs.push_back(fmt::format("dataset {}: values differ", name));
    if (dimension_names(da) != dimension_names(db)) diffs.push_back(fmt::format("dataset {}: dimensions differ", name));
    compare_attrs(name + ":", da, db);
    H5Dclose(da);
    H5Dclose(db);
  }
  H5Fclose(fa);
  H5Fclose(fb);
  return diffs;
}

GridOutcome read_grid_outcome(const std::string& path, const std::string& outcome) {
  hid_t f = open_file(path);
  struct Closer {
    hid_t f;
    ~Closer() { H5Fclose(f); }
  } closer{f};
  auto attrs = read_attributes(f);
  const std::string design = attrs.count("design") ? show_attr(attrs["design"]) : "";
  if (design != "grid")
    throw Error(fmt::format("'{}' holds a '{}' design, not a grid sweep (a spec with [axes])", path, design));
  GridOutcome g;
  g.scenario = attrs.count("scenario") ? show_attr(attrs["scenario"]) : "";
  // A per-run outcome: a numeric dataset along (axes..., replication), not a coordinate.
  auto per_run = [&](const std::string& name) {
    if (H5Lexists(f, name.c_str(), H5P_DEFAULT) <= 0) return false;
    hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    hid_t type = H5Dget_type(d);
    auto dims = dimension_names(d);
    const bool yes = H5DSis_scale(d) <= 0 && H5Tget_class(type) != H5T_STRING && !dims.empty() &&
                     dims.back() == "replication" && name != "done" && name != "seed";
    H5Tclose(type);
    H5Dclose(d);
    return yes;
  };
  // Numbers of any stored type, converted to double by HDF5; also the shape and dims.
  auto numbers = [&](const std::string& name, std::vector<std::size_t>* shape) {
    hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    hid_t space = H5Dget_space(d);
    std::vector<hsize_t> extent(static_cast<std::size_t>(std::max(H5Sget_simple_extent_ndims(space), 0)));
    H5Sget_simple_extent_dims(space, extent.data(), nullptr);
    std::vector<double> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
    const herr_t status = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Sclose(space);
    H5Dclose(d);
    if (status < 0) throw Error(fmt::format("'{}': cannot read '{}' as numbers", path, name));
    if (shape) shape->assign(extent.begin(), extent.end());
    return v;
  };
  if (!per_run(outcome)) {
    std::vector<std::string> outcomes;
    for (const auto& name : dataset_names(f))
      if (per_run(name)) outcomes.push_back(name);
    throw Error(fmt::format("'{}' has no per-run outcome '{}'{}; it has: {}", path, outcome,
                            did_you_mean(outcome, outcomes), join(outcomes)));
  }
  {
    hid_t d = H5Dopen2(f, outcome.c_str(), H5P_DEFAULT);
    g.dims = dimension_names(d);
    H5Dclose(d);
  }
  g.values = numbers(outcome, &g.shape);
  for (double x : numbers("done", nullptr)) g.done.push_back(x != 0);
  for (std::size_t d = 0; d + 1 < g.dims.size(); ++d) {
    hid_t c = H5Dopen2(f, g.dims[d].c_str(), H5P_DEFAULT);
    Blob blob = read_blob(c, false);
    H5Dclose(c);
    auto& text = g.coords.emplace_back();
    if (blob.type == "string") text = blob.strings;
    else
      for (double x : numbers(g.dims[d], nullptr)) text.push_back(fmt::format("{:g}", x));
  }
  return g;
}

std::string describe_file(const std::string& path) {
  hid_t f = open_file(path);
  std::string out = fmt::format("{}\n", path);
  auto attrs = read_attributes(f);
  for (const char* k : {"scenario", "scenario_summary", "design", "marketsim_version", "marketsim_build", "created",
                        "host", "threads", "ranks", "seeding", "base_seed", "run_seed", "replications",
                        "plan_fingerprint", "command"})
    if (attrs.count(k)) out += fmt::format("  {:<18} {}\n", k, show_attr(attrs[k]));
  std::string dims_text, vars_text;
  std::size_t done = 0, total = 0;
  for (const auto& name : dataset_names(f)) {
    hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    Blob b = read_blob(d, false);
    auto dims = dimension_names(d);
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < dims.size() && i < b.shape.size(); ++i) parts.push_back(fmt::format("{}={}", dims[i], b.shape[i]));
    std::string units;
    auto at = read_attributes(d);
    if (at.count("units")) units = show_attr(at["units"]);
    std::string line = fmt::format("    {:<22} ({}){}\n", name, join(parts), units.empty() ? "" : " [" + units + "]");
    if (H5DSis_scale(d) > 0) dims_text += line;
    else vars_text += line;
    if (name == "done") {
      total = b.bytes.size();
      done = static_cast<std::size_t>(std::count(b.bytes.begin(), b.bytes.end(), 1));
    }
    H5Dclose(d);
  }
  out += "  dimensions:\n" + dims_text + "  variables:\n" + vars_text;
  out += fmt::format("  complete runs: {} of {}\n", done, total);
  for (const char* key : {"sweep_spec", "run_config"}) {
    if (!attrs.count(key)) continue;
    out += std::string("  ") + (std::string(key) == "sweep_spec" ? "sweep spec" : "run parameters") + ":\n";
    std::string spec = show_attr(attrs[key]);
    std::size_t pos = 0;
    while (pos < spec.size()) {
      auto nl = spec.find('\n', pos);
      out += "    " + spec.substr(pos, nl - pos) + "\n";
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
  }
  H5Fclose(f);
  return out;
}

}  // namespace marketsim
