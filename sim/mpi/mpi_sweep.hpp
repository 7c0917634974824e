#pragma once
// Sweeps across MPI ranks (docs/distributed.md). Compiled into the CLI only, never into
// libmarketsim or the Python module, and only when MARKETSIM_MPI is on.
//
// Rank 0 is the coordinator and the single writer: it runs `run_sweep` as usual (journal,
// store, resume) with an executor that hands tasks out on request, in task order, to
// every rank including its own worker threads. Ranks 1..n-1 ask for a batch of tasks
// when their queue runs low, run them on their own TBB threads and send each result
// back as one message (the journal's record format). Which rank ran a task never shows
// in the output: a result depends only on (scenario, parameters, seed).
#include <atomic>
#include <memory>
#include <string>

#include "sim/executor.hpp"
#include "sim/mpi/launcher.hpp"
#include "sim/sweep.hpp"

namespace marketsim::mpi {

// MPI_Init_thread / MPI_Finalize.
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

// Rank 0 reads and plans the spec (so only it needs the file) and sends its text, with
// its build id, to every rank. `ok` is false on every rank when rank 0 failed (its
// message in `error` on rank 0); `error` is also set on a rank whose build differs.
struct SharedSpec {
  bool ok = false;
  std::string text;
  std::string error;  // rank 0's message when !ok
};
SharedSpec share_spec(const Session& session, const std::string& path);

// Rank 0: an executor that feeds every rank. finish() must be called (also after an
// error before the sweep started) so the workers are released; the destructor does it.
class Coordinator final : public Executor {
 public:
  Coordinator(const Session& session, int threads);
  ~Coordinator() override;
  void execute(const SweepPlan& plan, const std::vector<std::size_t>& todo,
               const std::function<void(std::size_t task, RunResult&&)>& deliver,
               const std::function<void()>& tick, std::atomic<bool>& stop) override;
  int concurrency() const override { return threads_; }
  void finish();

 private:
  const Session& session_;
  int threads_;
  int workers_left_;  // worker ranks not yet told to stop
};

// Ranks 1..n-1: run tasks for the coordinator until it says stop. `plan_error` is set
// when this rank could not plan the shared spec (the coordinator then stops the sweep
// with that message). Returns false if `stop` (a signal) ended it early.
bool serve(const Session& session, const SweepPlan* plan, const std::string& plan_error, int threads,
           std::atomic<bool>& stop);

}  // namespace marketsim::mpi
