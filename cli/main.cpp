// marketsim: the command-line interface. Every error ends in one line on stderr and a
// non-zero exit status; nothing is left half-written.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <map>
#include <charconv>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>
#include <fmt/format.h>

#include "analysis/statistics.hpp"
#include "sim/error.hpp"
#include "sim/runner.hpp"
#include "sim/scenario.hpp"
#include "sim/store.hpp"
#include "sim/sweep.hpp"
#include "sim/version.hpp"
#include "sim/mpi/launcher.hpp"
#ifdef MARKETSIM_WITH_MPI
#include "sim/mpi/mpi_sweep.hpp"
#endif

namespace ms = marketsim;

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }

// One line on stderr and the exit status 2. Under an MPI launcher only rank 0 speaks, so
// a bad spec or option gives one message, not one per rank; the other ranks end quietly
// with status 0, so the launcher does not abort the job (and rank 0 with it) before rank
// 0 has said why. The job's status is still rank 0's 2.
int fail(const std::string& message) {
  if (ms::mpi::launcher_rank() > 0) return 0;
  fmt::print(stderr, "marketsim: error: {}\n", message);
  return 2;
}

std::string fmt_number(double x) {
  if (std::isnan(x)) return "nan";
  if (x != 0 && (std::fabs(x) >= 1e6 || std::fabs(x) < 1e-3)) return fmt::format("{:.4g}", x);
  return fmt::format("{:.4f}", x);
}

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> w(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    w[c] = header[c].size();
    for (const auto& r : rows) w[c] = std::max(w[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (std::size_t c = 0; c < r.size(); ++c)
      s += fmt::format("{:<{}}", r[c], c + 1 == r.size() ? 0 : w[c] + 2);
    fmt::print("{}\n", s);
  };
  line(header);
  std::vector<std::string> rule;
  for (auto x : w) rule.push_back(std::string(x, '-'));
  line(rule);
  for (const auto& r : rows) line(r);
}

std::string format_duration(double seconds) {
  auto s = static_cast<long long>(std::llround(seconds));
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02}", s / 60, s % 60);
}

// A value as a table cell: strings without their TOML quotes.
std::string cell(const ms::Value& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return ms::to_string(v);
}

std::string range_text(const ms::ParamSpec& p) {
  if (p.type == ms::ParamType::Choice) return ms::join(p.choices, "|");
  if (p.type == ms::ParamType::Bool) return "true|false";
  auto b = [](double x) {
    if (std::isinf(x)) return std::string(x < 0 ? "-inf" : "inf");
    return x == std::floor(x) && std::fabs(x) < 1e15 ? fmt::format("{}", static_cast<long long>(x)) : fmt::format("{}", x);
  };
  return "[" + b(p.range.min) + ", " + b(p.range.max) + "]";
}

int cmd_list() {
  auto& reg = ms::Registry::instance();
  std::vector<std::vector<std::string>> rows;
  for (const auto& name : reg.names()) rows.push_back({name, reg.get(name).summary});
  print_table({"scenario", "summary"}, rows);
  return 0;
}

int cmd_describe(const std::string& name) {
  const auto& s = ms::Registry::instance().get(name);
  fmt::print("{}: {}\n\n{}\n\n", s.name, s.summary, s.story);
  if (!s.plugin.empty()) fmt::print("(from plugin {})\n\n", s.plugin);
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : s.schema->params()) {
    std::string def = ms::to_string(p.default_value);
    for (const auto& [sym, follows] : p.symbols)
      if (def == "\"" + sym + "\"") def += " (= " + follows + ")";
    rows.push_back({p.name, std::string(ms::type_name(p.type)), def, range_text(p), p.unit, p.doc});
  }
  fmt::print("Parameters\n");
  print_table({"name", "type", "default", "range", "unit", "doc"}, rows);
  for (const auto& c : s.schema->checks()) fmt::print("  requires: {}\n", c.rule);
  rows.clear();
  for (const auto& o : s.scalars) rows.push_back({o.name, "scalar", o.unit, o.doc});
  for (const auto& o : s.series) rows.push_back({o.name, "series (round)", o.unit, o.doc});
  for (const auto& o : s.vectors) rows.push_back({o.name, "vector (" + o.dim + ")", o.unit, o.doc});
  fmt::print("\nOutputs\n");
  print_table({"name", "kind", "unit", "doc"}, rows);
  return 0;
}

std::vector<ms::Assignment> parse_sets(const std::vector<std::string>& sets) {
  std::vector<ms::Assignment> out;
  for (const auto& s : sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ms::Error(fmt::format("--set expects key=value, got '{}'", s));
    out.push_back({s.substr(0, eq), s.substr(eq + 1), "--set " + s.substr(0, eq), true});
  }
  return out;
}

// Progress on a terminal: done/total, rate and ETA, redrawn about five times a second.
struct Progress {
  bool tty = ::isatty(2) != 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), last{};
  std::size_t first_done = 0;
  bool started = false, finished = false;
  void operator()(std::size_t done, std::size_t total) {
    if (!started) first_done = done, started = true;
    auto now = std::chrono::steady_clock::now();
    if (!tty || finished || (now - last < std::chrono::milliseconds(200) && done < total)) return;
    last = now;
    double secs = std::chrono::duration<double>(now - start).count();
    double rate = secs > 0 ? static_cast<double>(done - first_done) / secs : 0;
    std::string eta = rate > 0 ? format_duration(static_cast<double>(total - done) / rate) : "?";
    fmt::print(stderr, "\r  {}/{} runs  {:5.1f}%  {:.1f} runs/s  ETA {}   ", done, total,
               100.0 * static_cast<double>(done) / static_cast<double>(std::max<std::size_t>(total, 1)), rate, eta);
    if (done == total) fmt::print(stderr, "\n"), finished = true;
  }
};

void print_summary(const ms::SweepPlan& plan, const ms::SweepOutcome& out) {
  const auto& info = *plan.scenario;
  const std::size_t R = static_cast<std::size_t>(plan.replications), S = info.scalars.size();
  // The spec's `summary` list, or every scalar outcome.
  std::vector<std::size_t> shown;
  for (const auto& name : plan.spec.summary)
    for (std::size_t s = 0; s < S; ++s)
      if (info.scalars[s].name == name) shown.push_back(s);
  if (shown.empty())
    for (std::size_t s = 0; s < S; ++s) shown.push_back(s);
  std::vector<std::string> header;
  for (const auto& c : plan.coords) header.push_back(c.name);
  for (auto s : shown) header.push_back(info.scalars[s].name);
  std::vector<std::vector<std::string>> rows;
  constexpr std::size_t kMaxRows = 40;
  for (std::size_t p = 0; p < plan.n_points() && p < kMaxRows; ++p) {
    std::vector<std::string> row;
    std::size_t rest = p;
    std::vector<std::string> coords(plan.coords.size());
    if (plan.spec.design == ms::Design::Grid) {
      for (std::size_t d = plan.coords.size(); d-- > 0;) {
        coords[d] = cell(plan.coords[d].values[rest % plan.shape[d]]);
        rest /= plan.shape[d];
      }
    } else {
      for (std::size_t d = 0; d < plan.coords.size(); ++d) coords[d] = cell(plan.coords[d].values[p]);
    }
    for (auto& c : coords) row.push_back(c);
    for (auto s : shown) {
      std::vector<double> v;
      for (std::size_t r = 0; r < R; ++r) v.push_back(out.scalars[(p * R + r) * S + s]);
      auto sum = ms::analysis::summarize(v);
      // Rounding noise of a constant outcome is no interval.
      const double half = sum.half_width <= 1e-12 * std::fabs(sum.mean) ? 0.0 : sum.half_width;
      row.push_back(R > 1 ? fmt::format("{} ± {}", fmt_number(sum.mean), fmt_number(half)) : fmt_number(sum.mean));
    }
    rows.push_back(std::move(row));
  }
  fmt::print("\n{} · {} point(s) × {} replication(s) · {}\n", info.name, plan.n_points(), R,
             R > 1 ? "mean ± half-width of the 95% confidence interval" : "one run per point");
  print_table(header, rows);
  if (plan.n_points() > kMaxRows)
    fmt::print("... {} more points (marketsim info, or ms.load in Python)\n", plan.n_points() - kMaxRows);
  if (shown.size() < S)
    fmt::print("({} more outcome(s) in the file: marketsim info, or ms.load in Python)\n", S - shown.size());
}

int run_plan(const ms::SweepPlan& plan, const std::string& out, int threads, bool resume, const std::string& command,
             bool summary, ms::Executor* executor = nullptr, int ranks = 1) {
  ms::SweepOptions opt;
  opt.out = out;
  opt.threads = threads;
  opt.resume = resume;
  opt.stop = &g_stop;
  opt.provenance.command = command;
  opt.provenance.ranks = ranks;
  Progress progress;
  if (plan.n_tasks() > 1) opt.progress = std::ref(progress);
  auto t0 = std::chrono::steady_clock::now();
  ms::SweepOutcome result = ms::run_sweep(plan, opt, executor);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (result.interrupted) {
    fmt::print(stderr, "\nmarketsim: interrupted: {} of {} runs are saved in '{}'; run the same command with --resume to finish\n",
               result.completed, result.total, ms::journal_path(out));
    return 130;
  }
  if (summary) print_summary(plan, result);
  std::size_t ran = result.completed - result.resumed;
  fmt::print("\n{} runs in {:.2f} s ({:.1f} runs/s){}\n", ran, secs, secs > 0 ? static_cast<double>(ran) / secs : 0.0,
             result.resumed ? fmt::format(", {} resumed from the journal", result.resumed) : std::string());
  if (!out.empty()) fmt::print("wrote {}\n", out);
  return 0;
}

int cmd_run(const std::string& name, const std::vector<std::string>& sets, const std::string& config, std::uint64_t seed,
            const std::string& out, const std::string& command) {
  const auto& info = ms::Registry::instance().get(name);
  std::vector<ms::Assignment> assignments;
  if (!config.empty()) assignments = ms::read_config(config);
  for (auto& a : parse_sets(sets)) assignments.push_back(std::move(a));
  ms::SweepPlan plan = ms::plan_single(info, assignments, seed);
  ms::RunResult result;
  if (out.empty()) {
    try {
      result = ms::run_scenario(info, plan.points[0], seed, &g_stop);
    } catch (const ms::Cancelled&) {
      fmt::print(stderr, "\nmarketsim: interrupted\n");
      return 130;
    }
  } else {
    ms::SweepOptions opt;
    opt.out = out;
    opt.threads = 0;
    opt.stop = &g_stop;
    opt.provenance.command = command;
    opt.on_result = [&](std::size_t, const ms::RunResult& r) { result = r; };
    if (std::filesystem::exists(ms::journal_path(out)))
      throw ms::Error(fmt::format("an interrupted sweep's journal exists at '{}': write this run to another --out, "
                                  "or resume or delete that sweep first",
                                  ms::journal_path(out)));
    ms::SweepOutcome o;
    try {
      o = ms::run_sweep(plan, opt);
    } catch (...) {
      std::filesystem::remove(ms::journal_path(out));  // a single run keeps nothing to resume
      throw;
    }
    if (o.interrupted) {
      std::filesystem::remove(ms::journal_path(out));  // a single run keeps nothing to resume
      fmt::print(stderr, "\nmarketsim: interrupted; nothing written\n");
      return 130;
    }
  }
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < info.scalars.size(); ++i)
    rows.push_back({info.scalars[i].name, fmt_number(result.scalars[i]), info.scalars[i].unit, info.scalars[i].doc});
  fmt::print("{} · seed {}\n", info.name, seed);
  print_table({"output", "value", "unit", "meaning"}, rows);
  if (!out.empty()) fmt::print("\nwrote {}\n", out);
  return 0;
}


// ---- marketsim phase: a phase diagram as a table -------------------------------------
// Reads one scalar outcome of a grid sweep and, for every point of the (x, y) plane (one
// table per combination of the other axes), reports its mean over replications with the
// 95% confidence interval: "+" mean > 0, "-" mean < 0, "?" the interval contains 0
// (undecided). With --minus B the outcome is metric - B within each run (paired).

int cmd_phase(const std::string& path, const std::string& x, const std::string& y, const std::string& metric,
              const std::string& minus) {
  if (x == y) throw ms::Error("--x and --y must be different axes");
  ms::GridOutcome grid = ms::read_grid_outcome(path, metric);
  std::vector<std::string> dims(grid.dims.begin(), grid.dims.end() - 1);  // without replication
  for (const auto& axis : {x, y})
    if (std::find(dims.begin(), dims.end(), axis) == dims.end())
      throw ms::Error(fmt::format("'{}' is not an axis of the sweep{}; axes: {}", axis, ms::did_you_mean(axis, dims),
                                  ms::join(dims)));
  const std::vector<std::size_t>& shape = grid.shape;
  std::vector<double>& values = grid.values;
  if (!minus.empty()) {
    const ms::GridOutcome other = ms::read_grid_outcome(path, minus);
    if (other.shape != shape) throw ms::Error(fmt::format("'{}' and '{}' have different shapes", metric, minus));
    for (std::size_t i = 0; i < values.size(); ++i) values[i] -= other.values[i];
  }
  const std::vector<std::uint8_t>& done = grid.done;
  const std::vector<std::vector<std::string>>& coords = grid.coords;
  const std::size_t reps = shape.back(), ix = std::find(dims.begin(), dims.end(), x) - dims.begin(),
                    iy = std::find(dims.begin(), dims.end(), y) - dims.begin();

  const std::string what = minus.empty() ? metric : fmt::format("{} - {}", metric, minus);
  fmt::print("{} · {} over {} replications · mean ± half-width of the 95% CI\n", grid.scenario, what, reps);
  fmt::print("+ mean > 0, - mean < 0, ? undecided (the interval contains 0); rows {}, columns {}\n", y, x);
  // Every combination of the other axes, row-major.
  std::vector<std::size_t> rest;
  for (std::size_t d = 0; d < dims.size(); ++d)
    if (d != ix && d != iy) rest.push_back(d);
  std::size_t combos = 1;
  for (auto d : rest) combos *= shape[d];
  std::map<char, int> tally;
  for (std::size_t c = 0; c < combos; ++c) {
    std::vector<std::size_t> index(dims.size(), 0);
    std::string title;
    for (std::size_t k = rest.size(), left = c; k-- > 0;) {
      index[rest[k]] = left % shape[rest[k]];
      left /= shape[rest[k]];
    }
    for (auto d : rest) title += fmt::format("{}{} = {}", title.empty() ? "" : ", ", dims[d], coords[d][index[d]]);
    std::vector<std::vector<std::string>> rows;
    for (std::size_t j = shape[iy]; j-- > 0;) {  // largest y on top, like a plot
      std::vector<std::string> row = {coords[iy][j]};
      for (std::size_t i = 0; i < shape[ix]; ++i) {
        index[ix] = i, index[iy] = j;
        std::size_t flat = 0;
        for (std::size_t d = 0; d < dims.size(); ++d) flat = flat * shape[d] + index[d];
        std::vector<double> v;
        for (std::size_t r = 0; r < reps; ++r)
          if (done[flat * reps + r] != 0) v.push_back(values[flat * reps + r]);
        const auto s = ms::analysis::summarize(v);
        char sign = '?';
        if (s.n > 1 && s.mean - s.half_width > 0) sign = '+';
        else if (s.n > 1 && s.mean + s.half_width < 0) sign = '-';
        else if (s.n == 0) sign = ' ';
        ++tally[sign];
        row.push_back(s.n == 0 ? "no data" : fmt::format("{} {:.3g} ± {:.2g}", sign, s.mean, s.half_width));
      }
      rows.push_back(std::move(row));
    }
    std::vector<std::string> header = {fmt::format("{} \\ {}", y, x)};
    for (const auto& v : coords[ix]) header.push_back(v);
    fmt::print("\n{}\n", title.empty() ? "all points" : title);
    print_table(header, rows);
  }
  fmt::print("\n{} point(s): {} +, {} -, {} undecided\n", combos * shape[ix] * shape[iy], tally['+'], tally['-'],
             tally['?']);
  return 0;
}

#ifdef MARKETSIM_WITH_MPI
// `marketsim sweep` under an MPI launcher: rank 0 plans, writes and reports; the other
// ranks run tasks and print nothing (their errors reach rank 0, which reports them).
int cmd_sweep_mpi(int& argc, char**& argv, const std::string& spec_path, const std::string& out, int threads,
                  bool resume, const std::string& command) {
  ms::mpi::Session mpi(argc, argv);
  auto shared = ms::mpi::share_spec(mpi, spec_path);
  if (!shared.ok) {
    if (mpi.rank() == 0) throw ms::Error(shared.error);
    return 0;  // rank 0 reports it (see fail)
  }
  if (mpi.rank() != 0) {
    std::optional<ms::SweepPlan> plan;
    std::string error = shared.error;
    if (error.empty()) {
      try {
        plan = ms::plan_sweep(ms::SweepSpec::from_string(shared.text, spec_path));
      } catch (const std::exception& e) {
        error = fmt::format("rank {}: {}", mpi.rank(), e.what());
      }
    }
    return ms::mpi::serve(mpi, plan ? &*plan : nullptr, error, threads, g_stop) ? 0 : 130;
  }
  ms::SweepPlan plan = ms::plan_sweep(ms::SweepSpec::from_string(shared.text, spec_path));
  ms::mpi::Coordinator coordinator(mpi, threads);
  return run_plan(plan, out, threads, resume, command, true, &coordinator, mpi.size());
}
#endif

}  // namespace

int main(int argc, char** argv) {
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);

  CLI::App app{fmt::format("marketsim {}: agent-based market simulation — scenarios, sweeps, HDF5 results", ms::kVersion)};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(ms::kVersion));

  app.add_subcommand("list", "List the registered scenarios");

  auto* describe = app.add_subcommand("describe", "Show a scenario's parameters and outputs");
  std::string describe_name;
  describe->add_option("name", describe_name, "scenario name")->required();

  auto* run = app.add_subcommand("run", "Run one scenario once and print its outcomes");
  std::string run_name, run_config, run_out;
  std::vector<std::string> run_sets;
  std::string run_seed_text = "0";
  run->add_option("name", run_name, "scenario name")->required();
  run->add_option("--set", run_sets, "set a parameter, key=value (repeatable)");
  run->add_option("--config", run_config, "TOML file of parameters (key = value)");
  run->add_option("--seed", run_seed_text, "the run's random seed, 0 to 2^64-1 (a sweep file's 'seed' values reproduce its runs)");
  run->add_option("--out", run_out, "also write the run to this HDF5 file");

  auto* sweep = app.add_subcommand("sweep", "Run a parameter sweep from a TOML spec and write HDF5");
  std::string spec_path, sweep_out;
  int threads = 0;
  bool resume = false;
  sweep->add_option("spec", spec_path, "sweep spec (TOML)")->required();
  sweep->add_option("--out", sweep_out, "output HDF5 file")->required();
  sweep->add_option("--threads", threads, "worker threads (default 0: all cores)")->check(CLI::Range(0, 4096));
  sweep->add_flag("--resume", resume, "continue an interrupted sweep from its journal (<out>.journal)");

  auto* info = app.add_subcommand("info", "Describe what a marketsim HDF5 file holds");
  std::string info_path;
  info->add_option("file", info_path, "HDF5 file")->required();

  auto* diff = app.add_subcommand("diff", "Compare two result files: datasets bit for bit and scientific attributes "
                                          "(provenance such as creation time, host and thread count may differ)");
  std::string diff_a, diff_b;
  diff->add_option("a", diff_a, "first file")->required();
  diff->add_option("b", diff_b, "second file")->required();

  auto* phase = app.add_subcommand("phase", "Phase diagram of a grid sweep as a table: where an outcome's mean over "
                                            "replications is > 0, < 0, or undecided (its 95% CI contains 0)");
  std::string phase_path, phase_x, phase_y, phase_metric, phase_minus;
  phase->add_option("file", phase_path, "HDF5 file of a grid sweep")->required();
  phase->add_option("--x", phase_x, "axis along the columns")->required();
  phase->add_option("--y", phase_y, "axis along the rows")->required();
  phase->add_option("--metric", phase_metric, "per-run scalar outcome, e.g. profit_gap")->required();
  phase->add_option("--minus", phase_minus, "another scalar outcome subtracted within each run (a paired difference)");

  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> commands;
    for (const auto* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
    if (std::find(commands.begin(), commands.end(), argv[1]) == commands.end()) {
      return fail(fmt::format("unknown command '{}'{}. Commands: {}", argv[1], ms::did_you_mean(argv[1], commands),
                              ms::join(commands)));
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(fmt::format("{} (see marketsim --help)", e.what()));
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    // Scenarios (and so plugins) are needed by every command but info, diff and phase.
    if (!app.got_subcommand(info) && !app.got_subcommand(diff) && !app.got_subcommand(phase)) ms::Registry::instance().load_plugins();
    if (app.got_subcommand("list")) return cmd_list();
    if (app.got_subcommand(describe)) return cmd_describe(describe_name);
    if (app.got_subcommand(run)) {
      std::uint64_t seed = 0;
      auto [end, ec] = std::from_chars(run_seed_text.data(), run_seed_text.data() + run_seed_text.size(), seed);
      if (ec != std::errc() || end != run_seed_text.data() + run_seed_text.size())
        throw ms::Error(fmt::format("--seed expects an integer from 0 to 18446744073709551615, got '{}'", run_seed_text));
      return cmd_run(run_name, run_sets, run_config, seed, run_out, command);
    }
    if (app.got_subcommand(sweep)) {
      if (ms::mpi::launched_by_mpi()) {
#ifdef MARKETSIM_WITH_MPI
        return cmd_sweep_mpi(argc, argv, spec_path, sweep_out, threads, resume, command);
#else
        // Every rank would run the whole sweep into the same file: refuse.
        throw ms::Error("this marketsim was built without MPI (configure with -DMARKETSIM_MPI=ON, with "
                        "libopenmpi-dev installed); run the sweep without mpirun");
#endif
      }
      ms::SweepPlan plan = ms::plan_sweep(ms::SweepSpec::from_file(spec_path));
      return run_plan(plan, sweep_out, threads, resume, command, true);
    }
    if (app.got_subcommand(phase)) return cmd_phase(phase_path, phase_x, phase_y, phase_metric, phase_minus);
    if (app.got_subcommand(info)) {
      fmt::print("{}", ms::describe_file(info_path));
      return 0;
    }
    if (app.got_subcommand(diff)) {
      auto d = ms::diff_files(diff_a, diff_b);
      for (const auto& line : d) fmt::print("{}\n", line);
      if (d.empty()) fmt::print("identical content\n");
      return d.empty() ? 0 : 1;
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return 0;
}
