#include "sim/executor.hpp"

#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "sim/error.hpp"

namespace marketsim {

namespace {

constexpr std::size_t kWakeBatch = 256;  // the writer also wakes every 100 ms regardless

class ThreadExecutor final : public Executor {
 public:
  explicit ThreadExecutor(int threads)
      : threads_(threads > 0 ? threads : static_cast<int>(tbb::info::default_concurrency())) {}

  int concurrency() const override { return threads_; }

  void execute(const SweepPlan& plan, const std::vector<std::size_t>& todo,
               const std::function<void(std::size_t, RunResult&&)>& deliver, const std::function<void()>& tick,
               std::atomic<bool>& stop) override {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<std::pair<std::size_t, RunResult>> queue;
    std::optional<std::string> error;
    bool finished = false;
    std::atomic<std::size_t> next{0};

    auto work = [&] {
      for (;;) {
        const std::size_t i = next.fetch_add(1);
        if (i >= todo.size() || stop.load()) return;
        const std::size_t task = todo[i];
        try {
          RunResult r = run_scenario(*plan.scenario, plan.points[plan.point_of(task)], plan.seeds[task], &stop);
          std::lock_guard lock(mutex);
          queue.emplace_back(task, std::move(r));
          // Wake the writer for batches only: a wake-up per short run would steal a core.
          if (queue.size() >= kWakeBatch) ready.notify_one();
        } catch (const Cancelled&) {
          return;
        } catch (const std::exception& e) {
          std::lock_guard lock(mutex);
          if (!error) error = e.what();
          stop = true;
          ready.notify_one();
          return;
        }
      }
    };
    std::thread runner([&] {
      tbb::task_arena arena(threads_);
      arena.execute([&] {
        tbb::parallel_for(0, threads_, [&](int) { work(); }, tbb::simple_partitioner());
      });
      std::lock_guard lock(mutex);
      finished = true;
      ready.notify_one();
    });

    std::deque<std::pair<std::size_t, RunResult>> batch;
    try {
      for (;;) {
        bool done_now;
        {
          std::unique_lock lock(mutex);
          ready.wait_for(lock, std::chrono::milliseconds(100), [&] { return !queue.empty() || finished; });
          batch.swap(queue);
          done_now = finished && batch.empty();
        }
        for (auto& [task, result] : batch) deliver(task, std::move(result));
        batch.clear();
        tick();
        if (done_now) break;
      }
    } catch (...) {
      stop = true;
      runner.join();
      throw;
    }
    runner.join();
    if (error) throw Error(*error);
  }

 private:
  int threads_;
};

}  // namespace

std::unique_ptr<Executor> make_thread_executor(int threads) { return std::make_unique<ThreadExecutor>(threads); }

}  // namespace marketsim
