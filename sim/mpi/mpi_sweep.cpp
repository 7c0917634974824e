#include "sim/mpi/mpi_sweep.hpp"

#include <mpi.h>
#include <tbb/info.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fmt/format.h>
#include <thread>

#include "sim/error.hpp"
#include "sim/journal.hpp"
#include "sim/version.hpp"

namespace marketsim::mpi {

namespace {

// Messages between a worker rank and rank 0 (MPI keeps their order per pair of ranks).
enum Tag : int {
  kRequest = 1,  // worker -> 0: int, how many tasks it wants
  kTasks = 2,    // 0 -> worker: u64 task ids; none means "no more"
  kResult = 3,   // worker -> 0: one result, in the journal's record format
  kError = 4,    // worker -> 0: the text of an error on that rank
  kDone = 5,     // worker -> 0: told "no more", it has sent every result and stops
};

constexpr auto kPoll = std::chrono::milliseconds(1);

void send_bytes(const std::string& bytes, int to, int tag) {
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD);
}

std::string recv_bytes(const MPI_Status& probed) {
  int n = 0;
  MPI_Get_count(&probed, MPI_BYTE, &n);
  std::string bytes(static_cast<std::size_t>(n), '\0');
  MPI_Recv(bytes.data(), n, MPI_BYTE, probed.MPI_SOURCE, probed.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return bytes;
}

void send_tasks(const std::size_t* tasks, std::size_t n, int to) {
  std::vector<std::uint64_t> ids(tasks, tasks + n);
  MPI_Send(ids.data(), static_cast<int>(ids.size()), MPI_UINT64_T, to, kTasks, MPI_COMM_WORLD);
}

// How many tasks a rank keeps queued: 8 per thread, or about 20 ms of work at the rate it
// has completed them so far, whichever is more (at most 2^16). A worker asks for this
// many when fewer than half remain, so its threads never wait for the round trip even
// when runs take microseconds; a rank that dies loses at most these (plus the runs in
// flight), which a resume runs again.
class Pace {
 public:
  explicit Pace(int threads) : floor_(8 * static_cast<std::size_t>(threads)) {}
  void completed(std::size_t n) { done_ += n; }
  std::size_t batch() const {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double per_20ms = seconds > 0.005 ? static_cast<double>(done_) / seconds * 0.02 : 0.0;
    return std::clamp<std::size_t>(static_cast<std::size_t>(per_20ms), floor_, std::size_t{1} << 16);
  }

 private:
  std::size_t floor_, done_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

Session::Session(int& argc, char**& argv) {
  int provided = 0;
  // Only the main thread of a rank calls MPI; worker threads never do.
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Session::~Session() { MPI_Finalize(); }

SharedSpec share_spec(const Session& session, const std::string& path) {
  SharedSpec shared;
  int ok = 0;
  if (session.rank() == 0) {
    try {
      shared.text = read_text_file(path);
      plan_sweep(SweepSpec::from_string(shared.text, path));  // the errors a single process reports
      ok = 1;
    } catch (const std::exception& e) {
      shared.error = e.what();
    }
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  shared.ok = ok == 1;
  if (!shared.ok) return shared;
  // The spec and the build travel together: every rank must compute with the same build.
  std::string message = std::string(kBuildId) + '\n' + shared.text;
  std::uint64_t size = message.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  message.resize(size);
  MPI_Bcast(message.data(), static_cast<int>(size), MPI_BYTE, 0, MPI_COMM_WORLD);
  const auto newline = message.find('\n');
  if (message.compare(0, newline, kBuildId) != 0)
    shared.error = fmt::format("rank {} runs build {} but rank 0 runs {}: every rank must run the same build",
                               session.rank(), kBuildId, message.substr(0, newline));
  shared.text = message.substr(newline + 1);
  return shared;
}

Coordinator::Coordinator(const Session& session, int threads)
    : session_(session),
      threads_(threads > 0 ? threads : static_cast<int>(tbb::info::default_concurrency())),
      workers_left_(session.size() - 1) {}

Coordinator::~Coordinator() {
  try {
    finish();
  } catch (...) {
  }
}

void Coordinator::execute(const SweepPlan& plan, const std::vector<std::size_t>& todo,
                          const std::function<void(std::size_t, RunResult&&)>& deliver,
                          const std::function<void()>& tick, std::atomic<bool>& stop) {
  TaskPool local(plan, threads_, stop);
  Pace pace(threads_);
  std::size_t next = 0;
  std::optional<std::string> error;
  bool local_closed = false;
  auto last_tick = std::chrono::steady_clock::now();
  auto fail = [&](std::string message) {
    if (!error) error = std::move(message);
    stop = true;
  };
  try {
    for (;;) {
      // Requests and results from the worker ranks.
      int flag = 0;
      MPI_Status st;
      while (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st), flag) {
        if (st.MPI_TAG == kRequest) {
          int wanted = 0;
          MPI_Recv(&wanted, 1, MPI_INT, st.MPI_SOURCE, kRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          const std::size_t n = stop ? 0 : std::min<std::size_t>(static_cast<std::size_t>(wanted), todo.size() - next);
          send_tasks(todo.data() + next, n, st.MPI_SOURCE);
          next += n;
        } else if (st.MPI_TAG == kResult) {
          const std::string bytes = recv_bytes(st);
          std::size_t task = 0;
          RunResult result;
          if (!decode_result(bytes.data(), bytes.size(), task, result) || task >= plan.n_tasks())
            fail(fmt::format("rank 0 received a malformed result from rank {}", st.MPI_SOURCE));
          else
            deliver(task, std::move(result));
        } else if (st.MPI_TAG == kError) {
          fail(recv_bytes(st));
        } else if (st.MPI_TAG == kDone) {
          recv_bytes(st);
          --workers_left_;
        } else {
          recv_bytes(st);
          fail(fmt::format("rank 0 received an unexpected message (tag {}) from rank {}", st.MPI_TAG, st.MPI_SOURCE));
        }
      }
      // Rank 0's own threads take their share from the same queue, in the same order.
      if (!local_closed) {
        if (stop || next == todo.size()) {
          local.close();
          local_closed = true;
        } else if (const std::size_t want = pace.batch(); local.waiting() < want / 2) {
          const std::size_t n = std::min<std::size_t>(want, todo.size() - next);
          local.add(todo.data() + next, n);
          next += n;
        }
      }
      const bool local_over = local.over();
      auto completed = local.take(kPoll, static_cast<std::size_t>(threads_));
      pace.completed(completed.size());
      for (auto& [task, result] : completed) deliver(task, std::move(result));
      if (auto e = local.error()) fail(*e);
      const auto now = std::chrono::steady_clock::now();
      if (now - last_tick >= std::chrono::milliseconds(100)) {
        tick();
        last_tick = now;
      }
      if (local_over && workers_left_ == 0) break;
    }
  } catch (...) {
    stop = true;
    throw;
  }
  tick();
  if (error) throw Error(*error);
}

void Coordinator::finish() {
  // Release every worker still waiting: answer requests with "no more", drop results
  // (this is only reached after the sweep failed or never started), count the goodbyes.
  while (workers_left_ > 0) {
    MPI_Status st;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    const std::string bytes = recv_bytes(st);
    if (st.MPI_TAG == kRequest) send_tasks(nullptr, 0, st.MPI_SOURCE);
    if (st.MPI_TAG == kDone) --workers_left_;
  }
}

bool serve(const Session&, const SweepPlan* plan, const std::string& plan_error, int threads,
           std::atomic<bool>& stop) {
  threads = threads > 0 ? threads : static_cast<int>(tbb::info::default_concurrency());  // honours the launcher's binding
  Pace pace(threads);
  std::atomic<bool> cancel{false};
  std::optional<TaskPool> pool;
  if (plan)
    pool.emplace(*plan, threads, cancel);
  else
    send_bytes(plan_error, 0, kError);
  bool asked = false, released = false, error_sent = false, leaving = false;
  for (;;) {
    if (stop && !leaving) {  // a signal: abandon the runs in flight, send what is complete
      cancel = true;
      leaving = true;
    }
    if (!released && !leaving && !asked && (!pool || pool->waiting() < pace.batch() / 2)) {
      const int batch = static_cast<int>(pace.batch());
      MPI_Send(&batch, 1, MPI_INT, 0, kRequest, MPI_COMM_WORLD);
      asked = true;
    }
    if (asked) {
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(0, kTasks, MPI_COMM_WORLD, &flag, &st);
      if (flag) {
        int n = 0;
        MPI_Get_count(&st, MPI_UINT64_T, &n);
        std::vector<std::uint64_t> ids(static_cast<std::size_t>(n));
        MPI_Recv(ids.data(), n, MPI_UINT64_T, 0, kTasks, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        asked = false;
        if (n == 0) {
          released = true;
          if (pool) pool->close();
        } else if (pool) {
          std::vector<std::size_t> tasks(ids.begin(), ids.end());
          pool->add(tasks.data(), tasks.size());
        }
      }
    }
    bool over = true;
    if (pool) {
      over = pool->over();
      auto completed = pool->take(kPoll, static_cast<std::size_t>(threads));
      pace.completed(completed.size());
      for (auto& [task, result] : completed) {
        std::string bytes;
        encode_result(bytes, task, result);
        send_bytes(bytes, 0, kResult);
      }
      if (auto e = pool->error(); e && !error_sent) {
        send_bytes(*e, 0, kError);
        error_sent = true;
      }
    } else {
      std::this_thread::sleep_for(kPoll);
    }
    if ((released || leaving) && over) {
      send_bytes({}, 0, kDone);
      return !leaving;
    }
  }
}

}  // namespace marketsim::mpi
