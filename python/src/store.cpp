#include <pybind11/stl.h>

#include "common.hpp"
#include "sim/runner.hpp"
#include "sim/store.hpp"

namespace marketsim::py_bind {

void register_store(py::module_& m) {
  m.def("info", &describe_file, py::arg("path"), "What a marketsim HDF5 file holds, as text.");
  m.def("diff", &diff_files, py::arg("a"), py::arg("b"),
        "Differences in content between two result files (empty when identical).");
  m.def("provenance_attributes", &provenance_attributes, "Root attributes allowed to differ between identical files.");
  m.def("journal_path", &journal_path, py::arg("out"));
}

}  // namespace marketsim::py_bind
