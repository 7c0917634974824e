#pragma once
// Executors run a sweep's tasks and hand each completed result to the caller's thread,
// which is the single writer. The thread executor is one implementation; a distributed
// one (MPI ranks) plugs in behind the same interface without touching scenarios or the
// store.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
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

// The worker threads of one process, shared by the thread executor and the MPI ranks:
// tasks go in (add) while they run, results come out on the owner's thread (take).
// Workers take queued tasks one at a time, in the order added.
class TaskPool {
 public:
  using Completed = std::vector<std::pair<std::size_t, RunResult>>;

  // threads <= 0: all cores. `stop` cancels: no new task starts, runs in flight are
  // abandoned between rounds.
  TaskPool(const SweepPlan& plan, int threads, std::atomic<bool>& stop);
  ~TaskPool();  // lets idle workers leave and waits for them
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  void add(const std::size_t* tasks, std::size_t n);
  void close();  // no more tasks: the workers finish when the queue is empty

  // Waits up to `wait` until `batch` results are ready, or the work is over, or an
  // error occurred, and moves the ready results out.
  Completed take(std::chrono::milliseconds wait, std::size_t batch);

  std::size_t waiting() const;  // added but not started
  bool over() const;            // closed (or stopped), workers idle and every result taken
  // The first error of a run, if any (the pool then stops itself).
  std::optional<std::string> error() const;
  int threads() const { return threads_; }

 private:
  struct State;
  int threads_;
  std::unique_ptr<State> state_;
};

}  // namespace marketsim
