#pragma once
// Shared helpers of the marketsim._core bindings.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <atomic>
#include <functional>
#include <vector>

#include "sim/params.hpp"

namespace marketsim::py_bind {

namespace py = pybind11;

// A Python value as a parameter value: bool, int (and numpy integers), float, str.
Value to_value(const py::handle& obj, const std::string& key);
py::object from_value(const Value& v);

// Hands a vector to numpy without copying its elements: the array owns the vector.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v, std::vector<py::ssize_t> shape = {}) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  if (shape.empty()) shape = {static_cast<py::ssize_t>(owned->size())};
  return py::array_t<T>(shape, owned->data(), owner);
}

// Runs `work` on a C++ thread with the GIL released. The caller wakes about every
// 100 ms, takes the GIL, calls `tick` (progress) and checks for signals; on Ctrl-C it
// sets the stop flag, waits for the work to wind down, and raises KeyboardInterrupt.
// Exceptions from `work` are re-raised here (marketsim::Error as marketsim.Error).
void run_interruptible(const std::function<void(std::atomic<bool>& stop)>& work, const std::function<void()>& tick);

void ensure_plugins();

void register_params(py::module_& m);
void register_scenarios(py::module_& m);
void register_run(py::module_& m);
void register_sweep(py::module_& m);
void register_store(py::module_& m);

}  // namespace marketsim::py_bind
