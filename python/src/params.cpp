#include <pybind11/stl.h>

#include "common.hpp"
#include "sim/scenario.hpp"

namespace marketsim::py_bind {

std::vector<Assignment> to_assignments(const py::dict& params) {
  std::vector<Assignment> out;
  for (const auto& [k, v] : params) {
    std::string key = py::str(k).cast<std::string>();
    out.push_back({key, to_value(v, key), "", false});
  }
  return out;
}

py::dict params_to_dict(const Params& p) {
  py::dict d;
  const auto& specs = p.schema().params();
  for (std::size_t i = 0; i < specs.size(); ++i) d[py::str(specs[i].name)] = from_value(p.values()[i]);
  return d;
}

void register_params(py::module_& m) {
  m.def(
      "resolve",
      [](const std::string& scenario, const py::dict& params) {
        ensure_plugins();
        const auto& info = Registry::instance().get(scenario);
        return params_to_dict(resolve(info.schema, to_assignments(params), info.name));
      },
      py::arg("scenario"), py::arg("params"),
      "Validate parameters against a scenario's schema; returns the full parameter set.");
}

}  // namespace marketsim::py_bind
