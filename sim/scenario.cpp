#include "sim/scenario.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <mutex>
#include <set>

#include "sim/error.hpp"

namespace marketsim {

namespace {
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}
bool same_bits(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same_bits(a[i], b[i])) return false;
  return true;
}
}  // namespace

bool RunResult::operator==(const RunResult& o) const {
  return same_bits(scalars, o.scalars) && same_bits(series, o.series) && same_bits(vectors, o.vectors);
}

void ScenarioInfo::scalar(std::string n, std::string unit, std::string doc) {
  scalars.push_back({std::move(n), std::move(unit), std::move(doc)});
}
void ScenarioInfo::series_output(std::string n, std::string unit, std::string doc) {
  series.push_back({std::move(n), std::move(unit), std::move(doc)});
}
void ScenarioInfo::vector(std::string n, std::string dim, std::string unit, std::string doc,
                          std::function<std::size_t(const Params&)> length) {
  vectors.push_back({std::move(n), std::move(dim), std::move(unit), std::move(doc), std::move(length)});
}

std::size_t n_samples(const Params& params) {
  return static_cast<std::size_t>(params.integer("rounds") / params.integer("record_every")) + 1;
}

Run::Run(const ScenarioInfo& info, const Params& params, std::uint64_t seed, const std::atomic<bool>* cancel)
    : info_(info), params_(params), seed_(seed), cancel_(cancel) {
  result_.scalars.assign(info.scalars.size(), 0.0);
  result_.series.resize(info.series.size());
  const std::size_t samples = n_samples(params);
  for (auto& s : result_.series) s.reserve(samples);
  result_.vectors.resize(info.vectors.size());
  scalar_set_.assign(info.scalars.size(), false);
}

std::size_t Run::find(const std::vector<OutputSpec>& outs, std::string_view name, const char* kind) const {
  for (std::size_t i = 0; i < outs.size(); ++i)
    if (outs[i].name == name) return i;
  std::vector<std::string> names;
  for (const auto& o : outs) names.push_back(o.name);
  throw Error(fmt::format("{}: no declared {} output '{}'{} (declared: {})", info_.name, kind, name,
                          did_you_mean(name, names), join(names)));
}

void Run::set(std::string_view scalar, double value) {
  std::size_t i = find(info_.scalars, scalar, "scalar");
  result_.scalars[i] = value;
  scalar_set_[i] = true;
}

void Run::record(std::string_view series, double value) {
  result_.series[find(info_.series, series, "series")].push_back(value);
}

void Run::set_vector(std::string_view name, std::vector<double> values) {
  for (std::size_t i = 0; i < info_.vectors.size(); ++i) {
    if (info_.vectors[i].name != name) continue;
    const std::size_t want = info_.vectors[i].length(params_);
    if (values.size() != want)
      throw Error(fmt::format("{}: vector output '{}' has {} values, declared length is {}", info_.name, name,
                              values.size(), want));
    result_.vectors[i] = std::move(values);
    return;
  }
  throw Error(fmt::format("{}: no declared vector output '{}'", info_.name, name));
}

RunResult Run::take_result() {
  for (std::size_t i = 0; i < scalar_set_.size(); ++i)
    if (!scalar_set_[i]) throw Error(fmt::format("{}: the run did not set scalar output '{}'", info_.name, info_.scalars[i].name));
  const std::size_t samples = n_samples(params_);
  for (std::size_t i = 0; i < result_.series.size(); ++i)
    if (result_.series[i].size() != samples)
      throw Error(fmt::format("{}: series '{}' has {} samples, expected {} (rounds / record_every + 1)", info_.name,
                              info_.series[i].name, result_.series[i].size(), samples));
  for (std::size_t i = 0; i < result_.vectors.size(); ++i)
    if (result_.vectors[i].size() != info_.vectors[i].length(params_))
      throw Error(fmt::format("{}: the run did not set vector output '{}'", info_.name, info_.vectors[i].name));
  return std::move(result_);
}

RunResult run_scenario(const ScenarioInfo& info, const Params& params, std::uint64_t seed,
                       const std::atomic<bool>* cancel) {
  Run run(info, params, seed, cancel);
  info.run(run);
  return run.take_result();
}

Registry& Registry::instance() {
  static Registry registry;
  return registry;
}

namespace {
// Names the store uses for its own dimensions and variables.
const std::set<std::string> kReserved = {"seed", "done", "replication", "round", "point"};
}  // namespace

bool Registry::add(ScenarioInfo info) {
  auto fail = [&](const std::string& why) {
    // Built-in registration runs before main(): report and skip rather than abort. A
    // plugin's failure is collected and raised by load_plugin().
    if (!loading_.empty()) rejected_.push_back(fmt::format("scenario '{}': {}", info.name, why));
    else fmt::print(stderr, "marketsim: scenario '{}' not registered: {}\n", info.name, why);
    return false;
  };
  for (const auto& s : scenarios_)
    if (s->name == info.name) return fail("a scenario of that name is already registered");
  if (!info.run) return fail("it has no run function");
  auto& schema = *info.schema;
  if (!schema.find("rounds"))
    // Rounds address the random streams' 32-bit round word.
    schema.integer("rounds", info.default_rounds, {0, 4294967295.0}, "rounds", "how many rounds a run lasts");
  if (!schema.find("record_every"))
    schema.integer("record_every", info.default_record_every, {1, 4294967295.0}, "rounds",
                   "rounds between samples of the per-round series");
  std::set<std::string> seen(kReserved);
  for (const auto& p : schema.params())
    if (!seen.insert(p.name).second) return fail("parameter name '" + p.name + "' is reserved or repeated");
  for (const auto* outs : {&info.scalars, &info.series})
    for (const auto& o : *outs)
      if (!seen.insert(o.name).second) return fail("output name '" + o.name + "' is reserved or repeated");
  for (const auto& v : info.vectors)
    if (!seen.insert(v.name).second || !seen.insert(v.dim).second)
      return fail("vector '" + v.name + "' or its dimension '" + v.dim + "' is reserved or repeated");
  // The defaults must themselves be valid.
  try {
    resolve(info.schema, {}, info.name);
  } catch (const Error& e) {
    return fail(std::string("its defaults are invalid: ") + e.what());
  }
  info.plugin = loading_;
  scenarios_.push_back(std::make_unique<ScenarioInfo>(std::move(info)));
  std::sort(scenarios_.begin(), scenarios_.end(), [](const auto& a, const auto& b) { return a->name < b->name; });
  return true;
}

const ScenarioInfo& Registry::get(std::string_view name) const {
  for (const auto& s : scenarios_)
    if (s->name == name) return *s;
  throw Error(fmt::format("unknown scenario '{}'{}. Available scenarios: {}", name, did_you_mean(name, names()),
                          join(names())));
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> n;
  for (const auto& s : scenarios_) n.push_back(s->name);
  return n;
}

void Registry::load_plugin(const std::string& path) {
  std::string canonical = std::filesystem::weakly_canonical(path).string();
  if (std::find(loaded_.begin(), loaded_.end(), canonical) != loaded_.end()) return;
  loading_ = canonical;
  rejected_.clear();
  void* handle = dlopen(canonical.c_str(), RTLD_NOW | RTLD_LOCAL);
  loading_.clear();
  if (!handle) throw Error(fmt::format("cannot load plugin '{}': {}", path, dlerror()));
  loaded_.push_back(canonical);
  if (!rejected_.empty())
    throw Error(fmt::format("plugin '{}': {}", path, join(rejected_, "; ")));
}

void Registry::load_plugins() {
  const char* env = std::getenv("MARKETSIM_PLUGIN_PATH");
  if (!env || !*env) return;
  std::string_view rest(env);
  while (!rest.empty()) {
    auto colon = rest.find(':');
    std::string entry(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (entry.empty()) continue;
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(entry, ec)) {
      std::vector<std::string> libs;
      for (const auto& f : fs::directory_iterator(entry, ec))
        if (f.path().extension() == ".so") libs.push_back(f.path().string());
      std::sort(libs.begin(), libs.end());
      for (const auto& l : libs) load_plugin(l);
    } else if (fs::exists(entry, ec)) {
      load_plugin(entry);
    } else {
      throw Error(fmt::format("MARKETSIM_PLUGIN_PATH entry '{}' does not exist", entry));
    }
  }
}

}  // namespace marketsim
