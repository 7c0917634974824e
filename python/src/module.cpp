// marketsim._core: the private compiled module; the public API is the pure-Python
// package `marketsim`. One register function per area.
#include "common.hpp"
#include "sim/error.hpp"
#include "sim/version.hpp"

PYBIND11_MODULE(_core, m) {
  namespace mb = marketsim::py_bind;
  m.doc() = "marketsim engine bindings (private; use the marketsim package)";
  m.attr("__version__") = marketsim::kVersion;
  pybind11::register_exception<marketsim::Error>(m, "Error", PyExc_ValueError);
  mb::register_params(m);
  mb::register_scenarios(m);
  mb::register_run(m);
  mb::register_sweep(m);
  mb::register_store(m);
}
