#include <pybind11/stl.h>

#include <fmt/format.h>

#include "common.hpp"
#include "sim/error.hpp"
#include "sim/runner.hpp"
#include "sim/sweep.hpp"

namespace marketsim::py_bind {

namespace {

SweepSpec spec_from_dict(const std::string& scenario, const py::dict& grid, const py::dict& fixed,
                         const py::object& sample, std::int64_t replications, std::uint64_t seed,
                         const std::string& seeding) {
  SweepSpec spec;
  spec.scenario = scenario;
  spec.origin = "sweep()";
  spec.replications = replications;
  spec.seed = seed;
  if (replications < 1) throw Error(fmt::format("sweep(): replications = {} must be at least 1", replications));
  if (seeding != "common" && seeding != "independent")
    throw Error("sweep(): seeding = '" + seeding + "' is not one of: common, independent");
  spec.independent_seeds = seeding == "independent";
  for (const auto& [k, v] : fixed) {
    std::string key = py::str(k).cast<std::string>();
    spec.fixed.push_back({key, to_value(v, key), "sweep(fixed=...)", false});
  }
  for (const auto& [k, v] : grid) {
    std::string key = py::str(k).cast<std::string>();
    if (py::isinstance<py::str>(v) || !py::hasattr(v, "__iter__"))
      throw Error(fmt::format("sweep(): grid['{}'] must be a list of values; a single value belongs in fixed", key));
    Axis axis{key, {}};
    for (const auto& x : v) axis.values.push_back(to_value(x, key));
    if (axis.values.empty()) throw Error(fmt::format("sweep(): grid['{}'] is empty: give at least one value", key));
    spec.axes.push_back(std::move(axis));
  }
  if (!sample.is_none()) {
    if (!spec.axes.empty()) throw Error("sweep(): use either grid (crossed lists) or sample, not both");
    py::dict s = sample.cast<py::dict>();
    std::string method = s.contains("method") ? s["method"].cast<std::string>() : "latin_hypercube";
    if (method == "latin_hypercube") spec.design = Design::LatinHypercube;
    else if (method == "random") spec.design = Design::Random;
    else throw Error("sweep(): sample method '" + method + "' is not one of: latin_hypercube, random");
    if (!s.contains("count") || !s.contains("ranges"))
      throw Error("sweep(): sample needs count and ranges, e.g. {'count': 50, 'ranges': {'saving': (0.0, 0.9)}}");
    spec.samples = s["count"].cast<std::int64_t>();
    if (spec.samples < 1) throw Error("sweep(): sample count must be at least 1");
    for (const auto& [k, v] : s["ranges"].cast<py::dict>()) {
      auto lohi = v.cast<std::vector<double>>();
      if (lohi.size() != 2) throw Error("sweep(): sample range for '" + py::str(k).cast<std::string>() + "' must be (low, high)");
      spec.ranges.push_back({py::str(k).cast<std::string>(), lohi[0], lohi[1]});
    }
  }
  return spec;
}

// Each point's coordinate values, by coordinate name.
py::dict point_coords(const SweepPlan& plan) {
  py::dict out;
  for (std::size_t d = 0; d < plan.coords.size(); ++d) {
    py::list values;
    for (std::size_t p = 0; p < plan.n_points(); ++p) {
      if (plan.spec.design == Design::Grid) {
        std::size_t rest = p, index = 0;
        for (std::size_t e = plan.coords.size(); e-- > 0;) {
          if (e == d) index = rest % plan.shape[e];
          rest /= plan.shape[e];
        }
        values.append(from_value(plan.coords[d].values[index]));
      } else {
        values.append(from_value(plan.coords[d].values[p]));
      }
    }
    out[py::str(plan.coords[d].name)] = values;
  }
  return out;
}

}  // namespace

void register_sweep(py::module_& m) {
  py::class_<SweepPlan>(m, "Plan", "An expanded, validated sweep: points x replications, with seeds")
      .def_static(
          "from_file",
          [](const std::string& path) {
            ensure_plugins();
            return plan_sweep(SweepSpec::from_file(path));
          },
          py::arg("path"))
      .def_static(
          "from_args",
          [](const std::string& scenario, const py::dict& grid, const py::dict& fixed, const py::object& sample,
             std::int64_t replications, std::uint64_t seed, const std::string& seeding) {
            ensure_plugins();
            return plan_sweep(spec_from_dict(scenario, grid, fixed, sample, replications, seed, seeding));
          },
          py::arg("scenario"), py::arg("grid"), py::arg("fixed"), py::arg("sample"), py::arg("replications"),
          py::arg("seed"), py::arg("seeding"))
      .def_property_readonly("scenario", [](const SweepPlan& p) { return p.scenario->name; })
      .def_property_readonly("dims", [](const SweepPlan& p) { return p.dims; })
      .def_property_readonly("shape", [](const SweepPlan& p) { return p.shape; })
      .def_property_readonly("replications", [](const SweepPlan& p) { return p.replications; })
      .def_property_readonly("n_points", &SweepPlan::n_points)
      .def_property_readonly("n_tasks", &SweepPlan::n_tasks)
      .def_property_readonly("seeds", [](const SweepPlan& p) { return to_numpy(std::vector<std::uint64_t>(p.seeds)); })
      .def_property_readonly("scalar_names",
                             [](const SweepPlan& p) {
                               std::vector<std::string> n;
                               for (const auto& s : p.scenario->scalars) n.push_back(s.name);
                               return n;
                             })
      .def_property_readonly("spec_toml", [](const SweepPlan& p) { return p.spec.to_toml(); })
      .def("point_coords", &point_coords, "Coordinate values of every point, by name");

  m.def(
      "run_plan",
      [](const SweepPlan& plan, const std::string& out, int threads, bool resume, const py::object& progress) {
        SweepOutcome outcome;
        std::atomic<std::size_t> done{0};
        run_interruptible(
            [&](std::atomic<bool>& stop) {
              SweepOptions opt;
              opt.out = out;
              opt.threads = threads;
              opt.resume = resume;
              opt.stop = &stop;
              opt.provenance.command = "python: marketsim.sweep";
              opt.progress = [&](std::size_t d, std::size_t) { done = d; };
              outcome = run_sweep(plan, opt);
            },
            [&] {
              if (!progress.is_none()) progress(done.load(), plan.n_tasks());
            });
        if (!progress.is_none()) progress(outcome.completed, plan.n_tasks());
        py::dict r;
        const auto n_scalars = static_cast<py::ssize_t>(plan.scenario->scalars.size());
        r["scalars"] = to_numpy(std::move(outcome.scalars), {static_cast<py::ssize_t>(plan.n_tasks()), n_scalars});
        r["done"] = to_numpy(std::move(outcome.done));
        r["completed"] = outcome.completed;
        r["resumed"] = outcome.resumed;
        r["interrupted"] = outcome.interrupted;
        return r;
      },
      py::arg("plan"), py::arg("out"), py::arg("threads"), py::arg("resume"), py::arg("progress"),
      "Run a plan on C++ threads (GIL released); Ctrl-C stops it and keeps finished runs in the journal.");
}

}  // namespace marketsim::py_bind
