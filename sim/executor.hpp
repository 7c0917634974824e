#pragma once
// Executors run a sweep's tasks and hand each completed result to the caller's thread,
// which is the single writer. The thread executor is one implementation; a distributed
// one (MPI ranks) plugs in behind the same interface without touching scenarios or the
// store.
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/sweep.hpp"

namespace marketsim {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs the tasks in `todo`. `deliver` is called on the calling thread for each
  // completed run; `tick` at least every ~100 ms (progress, signal checks). When `stop`
  // becomes true, no new task starts and runs in flight are abandoned between rounds.
  // An error in any run stops the others and is rethrown here.
  virtual void execute(const SweepPlan& plan, const std::vector<std::size_t>& todo,
                       const std::function<void(std::size_t task, RunResult&&)>& deliver,
                       const std::function<void()>& tick, std::atomic<bool>& stop) = 0;
  virtual int concurrency() const = 0;
};

// TBB worker threads on this machine; threads <= 0 means all cores. Tasks are handed
// out one at a time in task order, which balances uneven task costs.
std::unique_ptr<Executor> make_thread_executor(int threads);

}  // namespace marketsim
