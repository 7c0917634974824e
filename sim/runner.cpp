#include "sim/runner.hpp"

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <limits>
#include <optional>

#include "sim/error.hpp"
#include "sim/journal.hpp"

namespace marketsim {

std::string journal_path(const std::string& out) { return out + ".journal"; }

SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& opt, Executor* executor) {
  namespace fs = std::filesystem;
  std::unique_ptr<Executor> own;
  if (!executor) {
    own = make_thread_executor(opt.threads);
    executor = own.get();
  }
  std::atomic<bool> local_stop{false};
  std::atomic<bool>& stop = opt.stop ? *opt.stop : local_stop;

  SweepOutcome outcome;
  outcome.total = plan.n_tasks();
  const std::size_t n_scalars = plan.scenario->scalars.size();
  outcome.scalars.assign(outcome.total * n_scalars, std::numeric_limits<double>::quiet_NaN());
  outcome.done.assign(outcome.total, 0);

  std::optional<Store> store;
  Journal journal;
  auto accept = [&](std::size_t task, RunResult&& r) {
    if (outcome.done[task]) return;  // a duplicate record
    std::copy(r.scalars.begin(), r.scalars.end(), outcome.scalars.begin() + static_cast<std::ptrdiff_t>(task * n_scalars));
    outcome.done[task] = 1;
    ++outcome.completed;
    if (opt.on_result) opt.on_result(task, r);
    if (store) store->put(task, std::move(r));
  };

  if (!opt.out.empty()) {
    check_writable(opt.out);
    const std::string jpath = journal_path(opt.out);
    const bool have_journal = fs::exists(jpath);
    if (have_journal && !opt.resume)
      throw Error(fmt::format("an interrupted sweep's journal exists at '{}': resume it (--resume, or resume=True "
                              "in Python), or delete it to start afresh",
                              jpath));
    if (!have_journal && opt.resume)
      throw Error(fmt::format("nothing to resume: there is no journal '{}' ({}); run without resuming", jpath,
                              fs::exists(opt.out) ? "the sweep finished" : "the sweep never started here"));
    Provenance prov = opt.provenance;
    prov.threads = executor->concurrency();
    store.emplace(plan, opt.out, prov);
    if (have_journal) {
      journal = Journal::resume(jpath, plan.fingerprint, plan.n_tasks(), accept);
      outcome.resumed = outcome.completed;
    } else {
      journal = Journal::create(jpath, plan.fingerprint, plan.n_tasks());
    }
  }

  std::vector<std::size_t> todo;
  for (std::size_t t = 0; t < outcome.total; ++t)
    if (!outcome.done[t]) todo.push_back(t);
  if (opt.progress) opt.progress(outcome.completed, outcome.total);

  auto deliver = [&](std::size_t task, RunResult&& r) {
    if (store) journal.append(task, r);
    accept(task, std::move(r));
  };
  auto tick = [&] {
    if (store) journal.maybe_sync();
    if (opt.progress) opt.progress(outcome.completed, outcome.total);
  };
  try {
    executor->execute(plan, todo, deliver, tick, stop);
  } catch (...) {
    if (store) journal.close();  // keep what completed
    throw;
  }
  if (store) journal.sync();
  if (outcome.completed < outcome.total) {
    outcome.interrupted = true;
    if (store) journal.close();
    return outcome;  // the store's destructor removes the .part file
  }
  if (store) {
    store->commit();
    journal.close();
    fs::remove(journal_path(opt.out));
  }
  return outcome;
}

}  // namespace marketsim
