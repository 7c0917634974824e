#include <pybind11/stl.h>

#include "common.hpp"
#include "sim/scenario.hpp"

namespace marketsim::py_bind {

std::vector<Assignment> to_assignments(const py::dict& params);
py::dict params_to_dict(const Params& p);

void register_run(py::module_& m) {
  m.def(
      "run",
      [](const std::string& name, std::uint64_t seed, const py::dict& params) {
        ensure_plugins();
        const auto& info = Registry::instance().get(name);
        Params p = resolve(info.schema, to_assignments(params), info.name);
        RunResult result;
        run_interruptible(
            [&](std::atomic<bool>& stop) {
              try {
                result = run_scenario(info, p, seed, &stop);
              } catch (const Cancelled&) {
              }
            },
            [] {});
        py::dict scalars, series, vectors;
        for (std::size_t i = 0; i < info.scalars.size(); ++i) scalars[py::str(info.scalars[i].name)] = result.scalars[i];
        for (std::size_t i = 0; i < info.series.size(); ++i)
          series[py::str(info.series[i].name)] = to_numpy(std::move(result.series[i]));
        for (std::size_t i = 0; i < info.vectors.size(); ++i)
          vectors[py::str(info.vectors[i].name)] = to_numpy(std::move(result.vectors[i]));
        std::vector<std::int64_t> rounds;
        const std::int64_t every = p.integer("record_every");
        for (std::size_t k = 0; k < n_samples(p); ++k) rounds.push_back(static_cast<std::int64_t>(k) * every);
        py::dict out;
        out["scenario"] = info.name;
        out["seed"] = seed;
        out["params"] = params_to_dict(p);
        out["scalars"] = scalars;
        out["series"] = series;
        out["vectors"] = vectors;
        out["rounds"] = to_numpy(std::move(rounds));
        return out;
      },
      py::arg("name"), py::arg("seed"), py::arg("params"),
      "Run a scenario once; the GIL is released while it runs and Ctrl-C stops it.");
}

}  // namespace marketsim::py_bind
