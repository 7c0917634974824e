#include <pybind11/stl.h>

#include <cmath>

#include "common.hpp"
#include "sim/scenario.hpp"

namespace marketsim::py_bind {

void register_scenarios(py::module_& m) {
  m.def(
      "scenarios",
      [] {
        ensure_plugins();
        return Registry::instance().names();
      },
      "Names of the registered scenarios.");
  m.def(
      "describe",
      [](const std::string& name) {
        ensure_plugins();
        const auto& s = Registry::instance().get(name);
        py::list params, outputs, checks;
        for (const auto& p : s.schema->params()) {
          py::dict d;
          d["name"] = p.name;
          d["type"] = std::string(type_name(p.type));
          d["default"] = from_value(p.default_value);
          d["min"] = std::isfinite(p.range.min) ? py::cast(p.range.min) : py::none();
          d["max"] = std::isfinite(p.range.max) ? py::cast(p.range.max) : py::none();
          d["choices"] = p.choices;
          d["unit"] = p.unit;
          d["doc"] = p.doc;
          py::dict symbols;
          for (const auto& [sym, follows] : p.symbols) symbols[py::str(sym)] = follows;
          d["symbols"] = symbols;
          params.append(d);
        }
        auto add = [&](const std::string& kind, const std::string& name, const std::string& dim,
                       const std::string& unit, const std::string& doc) {
          py::dict d;
          d["name"] = name;
          d["kind"] = kind;
          d["dim"] = dim;
          d["unit"] = unit;
          d["doc"] = doc;
          outputs.append(d);
        };
        for (const auto& o : s.scalars) add("scalar", o.name, "", o.unit, o.doc);
        for (const auto& o : s.series) add("series", o.name, "round", o.unit, o.doc);
        for (const auto& o : s.vectors) add("vector", o.name, o.dim, o.unit, o.doc);
        for (const auto& c : s.schema->checks()) checks.append(c.rule);
        py::dict out;
        out["name"] = s.name;
        out["summary"] = s.summary;
        out["story"] = s.story;
        out["plugin"] = s.plugin;
        out["params"] = params;
        out["outputs"] = outputs;
        out["checks"] = checks;
        return out;
      },
      py::arg("name"), "A scenario's descriptor: parameter schema, declared outputs and checks.");
}

}  // namespace marketsim::py_bind
