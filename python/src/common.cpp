#include "common.hpp"

#include <pybind11/stl.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "sim/error.hpp"
#include "sim/scenario.hpp"

namespace marketsim::py_bind {

Value to_value(const py::handle& obj, const std::string& key) {
  if (py::isinstance<py::bool_>(obj)) return obj.cast<bool>();
  if (py::isinstance<py::str>(obj)) return obj.cast<std::string>();
  if (py::isinstance<py::float_>(obj)) return obj.cast<double>();
  if (py::hasattr(obj, "__index__")) return obj.attr("__index__")().cast<std::int64_t>();
  if (py::isinstance<py::list>(obj) || py::isinstance<py::tuple>(obj) || py::isinstance<py::array>(obj)) {
    std::vector<double> list;
    for (const auto& x : obj) list.push_back(x.cast<double>());
    return list;
  }
  if (py::hasattr(obj, "__float__")) return obj.attr("__float__")().cast<double>();
  throw Error("parameter '" + key + "' must be a bool, int, float or str, got " +
              py::str(py::type::of(obj).attr("__name__")).cast<std::string>());
}

py::object from_value(const Value& v) {
  return std::visit([](const auto& x) -> py::object { return py::cast(x); }, v);
}

void ensure_plugins() { Registry::instance().load_plugins(); }

void run_interruptible(const std::function<void(std::atomic<bool>&)>& work, const std::function<void()>& tick) {
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable cv;
  bool finished = false;
  std::exception_ptr error;
  std::thread worker;
  {
    py::gil_scoped_release release;
    worker = std::thread([&] {
      try {
        work(stop);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(mutex);
      finished = true;
      cv.notify_all();
    });
  }
  for (;;) {
    bool done;
    {
      py::gil_scoped_release release;
      std::unique_lock lock(mutex);
      cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return finished; });
      done = finished;
    }
    if (!done && PyErr_CheckSignals() != 0) {
      stop = true;
      {
        py::gil_scoped_release release;
        worker.join();
      }
      throw py::error_already_set();
    }
    try {
      tick();
    } catch (...) {
      stop = true;
      py::gil_scoped_release release;
      worker.join();
      throw;
    }
    if (done) break;
  }
  {
    py::gil_scoped_release release;
    worker.join();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace marketsim::py_bind
