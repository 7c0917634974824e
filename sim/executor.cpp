#include "sim/executor.hpp"

#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "sim/error.hpp"

namespace marketsim {

struct TaskPool::State {
  State(const SweepPlan& p, std::atomic<bool>& s) : plan(p), stop(s) {}
  const SweepPlan& plan;
  std::atomic<bool>& stop;
  mutable std::mutex mutex;
  std::condition_variable work_ready;    // tasks added, closed or stopped
  std::condition_variable result_ready;  // a batch of results, an error, or the end
  std::deque<std::size_t> tasks;
  Completed results;
  std::size_t wake_batch = 1;
  int running = 0;       // workers inside a run
  int workers_left = 0;  // workers not yet returned
  bool closed = false;
  bool shutdown = false;  // the pool is being destroyed: idle workers leave
  std::optional<std::string> error;
  std::thread runner;

  bool stopping() const { return stop.load(std::memory_order_relaxed); }

  void work() {
    for (;;) {
      std::size_t task;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [&] { return !tasks.empty() || closed || shutdown || stopping(); });
        if (stopping() || shutdown || tasks.empty()) return;
        task = tasks.front();
        tasks.pop_front();
        ++running;
      }
      try {
        RunResult r = run_scenario(*plan.scenario, plan.points[plan.point_of(task)], plan.seeds[task], &stop);
        std::lock_guard lock(mutex);
        --running;
        results.emplace_back(task, std::move(r));
        // Wake the owner for batches only: a wake-up per short run would steal a core.
        if (results.size() >= wake_batch) result_ready.notify_one();
      } catch (const Cancelled&) {
        std::lock_guard lock(mutex);
        --running;
        return;
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        --running;
        if (!error) error = e.what();
        stop = true;
        work_ready.notify_all();
        result_ready.notify_one();
        return;
      }
    }
  }
};

TaskPool::TaskPool(const SweepPlan& plan, int threads, std::atomic<bool>& stop)
    : threads_(threads > 0 ? threads : static_cast<int>(tbb::info::default_concurrency())),
      state_(std::make_unique<State>(plan, stop)) {
  State& s = *state_;
  s.workers_left = threads_;
  s.runner = std::thread([this] {
    State& st = *state_;
    tbb::task_arena arena(threads_);
    arena.execute([&] {
      tbb::parallel_for(0, threads_, [&](int) {
        st.work();
        std::lock_guard lock(st.mutex);
        --st.workers_left;
        st.result_ready.notify_one();
      }, tbb::simple_partitioner());
    });
  });
}

TaskPool::~TaskPool() {
  {
    // Not the caller's stop flag: ending a pool must not look like a Ctrl-C to others.
    // Every path that leaves runs in flight has set `stop` already, which cancels them.
    std::lock_guard lock(state_->mutex);
    state_->shutdown = true;
  }
  state_->work_ready.notify_all();
  state_->runner.join();
}

void TaskPool::add(const std::size_t* tasks, std::size_t n) {
  {
    std::lock_guard lock(state_->mutex);
    state_->tasks.insert(state_->tasks.end(), tasks, tasks + n);
  }
  state_->work_ready.notify_all();
}

void TaskPool::close() {
  {
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
  }
  state_->work_ready.notify_all();
}

TaskPool::Completed TaskPool::take(std::chrono::milliseconds wait, std::size_t batch) {
  State& s = *state_;
  Completed out;
  std::unique_lock lock(s.mutex);
  s.wake_batch = std::max<std::size_t>(batch, 1);
  s.result_ready.wait_for(lock, wait, [&] {
    return s.results.size() >= s.wake_batch || s.error || s.workers_left == 0 ||
           (s.closed && s.tasks.empty() && s.running == 0);
  });
  out.swap(s.results);
  return out;
}

std::size_t TaskPool::waiting() const {
  std::lock_guard lock(state_->mutex);
  return state_->tasks.size();
}

bool TaskPool::over() const {
  const State& s = *state_;
  std::lock_guard lock(s.mutex);
  const bool idle = s.running == 0 && (s.workers_left == 0 || (s.closed && s.tasks.empty()) || s.stopping());
  return (s.closed || s.stopping()) && idle && s.results.empty();
}

std::optional<std::string> TaskPool::error() const {
  std::lock_guard lock(state_->mutex);
  return state_->error;
}

namespace {

constexpr std::size_t kWakeBatch = 256;  // the owner also wakes every 100 ms regardless

class ThreadExecutor final : public Executor {
 public:
  explicit ThreadExecutor(int threads)
      : threads_(threads > 0 ? threads : static_cast<int>(tbb::info::default_concurrency())) {}

  int concurrency() const override { return threads_; }

  void execute(const SweepPlan& plan, const std::vector<std::size_t>& todo,
               const std::function<void(std::size_t, RunResult&&)>& deliver, const std::function<void()>& tick,
               std::atomic<bool>& stop) override {
    TaskPool pool(plan, threads_, stop);
    pool.add(todo.data(), todo.size());
    pool.close();
    try {
      for (;;) {
        const bool over = pool.over();  // checked before taking: nothing can arrive after it
        for (auto& [task, result] : pool.take(std::chrono::milliseconds(100), kWakeBatch))
          deliver(task, std::move(result));
        tick();
        if (over) break;
      }
    } catch (...) {
      stop = true;
      throw;
    }
    if (auto e = pool.error()) throw Error(*e);
  }

 private:
  int threads_;
};

}  // namespace

std::unique_ptr<Executor> make_thread_executor(int threads) { return std::make_unique<ThreadExecutor>(threads); }

}  // namespace marketsim
