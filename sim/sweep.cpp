#include "sim/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <toml++/toml.h>

#include "sim/error.hpp"
#include "sim/version.hpp"

namespace marketsim {

namespace {

std::string where(const std::string& origin, const toml::node& node) {
  const auto& src = node.source();
  if (src.begin.line == 0) return origin;
  return fmt::format("{}:{}", origin, src.begin.line);
}

Value to_value(const toml::node& node, const std::string& at, const std::string& key) {
  if (auto v = node.value<bool>(); node.is_boolean()) return *v;
  if (node.is_integer()) return *node.value<std::int64_t>();
  if (node.is_floating_point()) return *node.value<double>();
  if (node.is_string()) return *node.value<std::string>();
  if (const auto* arr = node.as_array()) {
    std::vector<double> list;
    for (const auto& x : *arr) {
      if (!x.is_number()) throw Error(fmt::format("{}: '{}' must be a list of numbers", at, key));
      list.push_back(*x.value<double>());
    }
    return list;
  }
  throw Error(fmt::format("{}: '{}' must be a number, a boolean, a string or a list of numbers", at, key));
}

toml::table parse(const std::string& text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw Error(fmt::format("{}:{}:{}: TOML syntax error: {}", origin, e.source().begin.line,
                            e.source().begin.column, e.description()));
  }
}


// toml++ tables are sorted by key; a spec's order (of axes, above all) is the order
// the user wrote, so entries are taken in source order.
std::vector<std::pair<std::string, const toml::node*>> in_source_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (const auto& [k, node] : t) out.emplace_back(std::string(k.str()), &node);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto &x = a.second->source().begin, &y = b.second->source().begin;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
  return out;
}

void check_keys(const toml::table& t, const std::vector<std::string>& valid, const std::string& origin,
                const std::string& what) {
  for (const auto& [k, node] : t) {
    std::string key(k.str());
    if (std::find(valid.begin(), valid.end(), key) == valid.end())
      throw Error(fmt::format("{}: unknown key '{}' in {}{}. Valid keys: {}", where(origin, node), key, what,
                              did_you_mean(key, valid), join(valid)));
  }
}

std::int64_t get_int(const toml::table& t, const char* key, std::int64_t def, std::int64_t min,
                     const std::string& origin) {
  const toml::node* n = t.get(key);
  if (!n) return def;
  if (!n->is_integer()) throw Error(fmt::format("{}: '{}' must be an integer", where(origin, *n), key));
  std::int64_t v = *n->value<std::int64_t>();
  if (v < min) throw Error(fmt::format("{}: '{}' = {} must be at least {}", where(origin, *n), key, v, min));
  return v;
}

std::vector<Value> axis_values(const std::string& name, const toml::node& node, const std::string& origin) {
  const std::string at = where(origin, node);
  std::vector<Value> values;
  if (const auto* arr = node.as_array()) {
    for (const auto& x : *arr) values.push_back(to_value(x, at, name));
  } else if (const auto* tbl = node.as_table()) {
    check_keys(*tbl, {"linspace", "range"}, origin, "axis '" + name + "'");
    if (const auto* lin = tbl->get_as<toml::array>("linspace")) {
      if (lin->size() != 3 || !(*lin)[2].is_integer())
        throw Error(fmt::format("{}: axis '{}': linspace = [start, stop, count] with an integer count", at, name));
      double a = *(*lin)[0].value<double>(), b = *(*lin)[1].value<double>();
      std::int64_t n = *(*lin)[2].value<std::int64_t>();
      if (n < 1) throw Error(fmt::format("{}: axis '{}': linspace count must be at least 1", at, name));
      for (std::int64_t i = 0; i < n; ++i)
        values.push_back(n == 1 ? a : (i == n - 1 ? b : a + (b - a) * static_cast<double>(i) / static_cast<double>(n - 1)));
    } else if (const auto* rng = tbl->get_as<toml::array>("range")) {
      if (rng->size() != 3) throw Error(fmt::format("{}: axis '{}': range = [start, stop, step]", at, name));
      bool ints = (*rng)[0].is_integer() && (*rng)[1].is_integer() && (*rng)[2].is_integer();
      double a = *(*rng)[0].value<double>(), b = *(*rng)[1].value<double>(), s = *(*rng)[2].value<double>();
      if (!(s != 0) || (b - a) / s > 1e7)
        throw Error(fmt::format("{}: axis '{}': range step must be non-zero and give at most 10^7 values", at, name));
      for (std::int64_t i = 0;; ++i) {
        double x = a + s * static_cast<double>(i);
        if (s > 0 ? x >= b : x <= b) break;
        if (ints) values.push_back(static_cast<std::int64_t>(x));
        else values.push_back(x);
      }
    } else {
      throw Error(fmt::format("{}: axis '{}' needs 'linspace' or 'range'", at, name));
    }
  } else {
    throw Error(fmt::format("{}: axis '{}' must be a list of values or a table {{ linspace = [...] }} or "
                            "{{ range = [...] }}; a single value belongs in [fixed]", at, name));
  }
  if (values.empty())
    throw Error(fmt::format("{}: axis '{}' is empty: give at least one value", at, name));
  return values;
}

std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

}  // namespace

std::string read_text_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::string text;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

std::vector<Assignment> read_config(const std::string& path) {
  toml::table t = parse(read_text_file(path), path);
  std::vector<Assignment> out;
  for (const auto& [key, node] : in_source_order(t)) {
    std::string at = where(path, *node);
    out.push_back({key, to_value(*node, at, key), at, false});
  }
  return out;
}

SweepSpec SweepSpec::from_file(const std::string& path) { return from_string(read_text_file(path), path); }

SweepSpec SweepSpec::from_string(const std::string& text, const std::string& origin) {
  toml::table t = parse(text, origin);
  check_keys(t, {"scenario", "replications", "seed", "seeding", "summary", "fixed", "axes", "sample"}, origin,
             "the sweep spec");
  SweepSpec spec;
  spec.origin = origin;
  const auto* scen = t.get("scenario");
  if (!scen || !scen->is_string())
    throw Error(fmt::format("{}: the sweep spec needs scenario = \"<name>\"", origin));
  spec.scenario = *scen->value<std::string>();
  spec.replications = get_int(t, "replications", 1, 1, origin);
  spec.seed = static_cast<std::uint64_t>(get_int(t, "seed", 0, 0, origin));
  if (const auto* s = t.get("seeding")) {
    std::string v = s->value_or<std::string>("");
    if (v != "common" && v != "independent")
      throw Error(fmt::format("{}: seeding = \"{}\" is not one of: common, independent", where(origin, *s), v));
    spec.independent_seeds = v == "independent";
  }
  if (const auto* s = t.get("summary")) {
    const auto* arr = s->as_array();
    if (!arr) throw Error(fmt::format("{}: summary must be a list of outcome names", where(origin, *s)));
    for (const auto& x : *arr) {
      if (!x.is_string()) throw Error(fmt::format("{}: summary must be a list of outcome names", where(origin, x)));
      spec.summary.push_back(*x.value<std::string>());
    }
    spec.summary_origin = where(origin, *s);
  }
  if (const auto* f = t.get("fixed")) {
    if (!f->is_table()) throw Error(fmt::format("{}: [fixed] must be a table", where(origin, *f)));
    for (const auto& [key, node] : in_source_order(*f->as_table())) {
      std::string at = where(origin, *node);
      spec.fixed.push_back({key, to_value(*node, at, key), at, false});
    }
  }
  if (const auto* a = t.get("axes")) {
    if (!a->is_table()) throw Error(fmt::format("{}: [axes] must be a table", where(origin, *a)));
    for (const auto& [key, node] : in_source_order(*a->as_table()))
      spec.axes.push_back({key, axis_values(key, *node, origin)});
  }
  if (const auto* s = t.get("sample")) {
    if (!spec.axes.empty())
      throw Error(fmt::format("{}: use either [axes] (a grid) or [sample] (sampled points), not both", where(origin, *s)));
    const auto* st = s->as_table();
    if (!st) throw Error(fmt::format("{}: [sample] must be a table", where(origin, *s)));
    check_keys(*st, {"method", "count", "ranges"}, origin, "[sample]");
    std::string method = st->get("method") ? st->get("method")->value_or<std::string>("") : "latin_hypercube";
    if (method == "latin_hypercube") spec.design = Design::LatinHypercube;
    else if (method == "random") spec.design = Design::Random;
    else throw Error(fmt::format("{}: [sample] method = \"{}\" is not one of: latin_hypercube, random", where(origin, *s), method));
    spec.samples = get_int(*st, "count", 0, 1, origin);
    if (spec.samples < 1) throw Error(fmt::format("{}: [sample] needs count = <number of points>", where(origin, *s)));
    const auto* ranges = st->get_as<toml::table>("ranges");
    if (!ranges || ranges->empty())
      throw Error(fmt::format("{}: [sample] needs ranges = {{ name = [low, high], ... }}", where(origin, *s)));
    for (const auto& [key, node] : in_source_order(*ranges)) {
      const auto* arr = node->as_array();
      if (!arr || arr->size() != 2 || !(*arr)[0].is_number() || !(*arr)[1].is_number())
        throw Error(fmt::format("{}: sampled range '{}' must be [low, high]", where(origin, *node), key));
      spec.ranges.push_back({key, *(*arr)[0].value<double>(), *(*arr)[1].value<double>()});
    }
  }
  return spec;
}

std::string SweepSpec::to_toml() const {
  std::string out = fmt::format("scenario = \"{}\"\nreplications = {}\nseed = {}\nseeding = \"{}\"\n", scenario,
                                replications, seed, independent_seeds ? "independent" : "common");
  out += "[fixed]\n";
  for (const auto& a : fixed) out += a.key + " = " + (a.is_text ? to_string(a.value) : to_string(a.value)) + "\n";
  if (design == Design::Grid) {
    out += "[axes]\n";
    for (const auto& ax : axes) {
      std::vector<std::string> v;
      for (const auto& x : ax.values) v.push_back(to_string(x));
      out += ax.name + " = [" + join(v) + "]\n";
    }
  } else {
    out += fmt::format("[sample]\nmethod = \"{}\"\ncount = {}\n[sample.ranges]\n",
                       design == Design::Random ? "random" : "latin_hypercube", samples);
    for (const auto& r : ranges) out += fmt::format("{} = [{}, {}]\n", r.name, to_string(r.lo), to_string(r.hi));
  }
  return out;
}

namespace {

void finish_plan(SweepPlan& plan) {
  const auto& info = *plan.scenario;
  plan.max_vector.assign(info.vectors.size(), 0);
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = fnv1a(h, kBuildId);  // results are reproducible for the same build
  h = fnv1a(h, info.name);
  for (const auto& p : plan.points) {
    plan.max_samples = std::max(plan.max_samples, n_samples(p));
    for (std::size_t v = 0; v < info.vectors.size(); ++v)
      plan.max_vector[v] = std::max(plan.max_vector[v], info.vectors[v].length(p));
    h = fnv1a(h, p.to_toml());
  }
  for (auto s : plan.seeds) h = fnv1a(h, std::string_view(reinterpret_cast<const char*>(&s), sizeof s));
  h = fnv1a(h, fmt::format("{}|{}", plan.replications, fmt::join(plan.dims, ",")));
  plan.fingerprint = h;
}

}  // namespace

SweepPlan plan_sweep(const SweepSpec& spec) {
  SweepPlan plan;
  plan.scenario = &Registry::instance().get(spec.scenario);
  plan.spec = spec;
  plan.replications = spec.replications;
  const auto& info = *plan.scenario;
  const std::string ctx = info.name;
  std::vector<std::string> outcomes;
  for (const auto& o : info.scalars) outcomes.push_back(o.name);
  for (const auto& name : spec.summary)
    if (std::find(outcomes.begin(), outcomes.end(), name) == outcomes.end())
      throw Error(fmt::format("{}: summary: {} has no scalar outcome '{}'{}. Its outcomes: {}", spec.summary_origin, ctx,
                              name, did_you_mean(name, outcomes), join(outcomes)));
  auto check_param = [&](const std::string& name, const std::string& what, const std::string& at) {
    if (!info.schema->find(name))
      throw Error(fmt::format("{}: {}: unknown parameter '{}'{}. Valid parameters: {}", at, ctx, name,
                              did_you_mean(name, info.schema->names()), join(info.schema->names())));
    if (name == "record_every" && what != "fixed")
      throw Error(fmt::format("{}: record_every cannot vary across a sweep: all series share one round coordinate",
                              spec.origin));
    for (const auto& f : spec.fixed)
      if (f.key == name && what != "fixed")
        throw Error(fmt::format("{}: '{}' is both in [fixed] and in the {}", spec.origin, name, what));
  };
  for (const auto& f : spec.fixed) {
    check_param(f.key, "fixed", f.origin.empty() ? spec.origin : f.origin);
    if (std::holds_alternative<std::vector<double>>(f.value) && info.schema->find(f.key)->type != ParamType::RealList)
      throw Error(fmt::format("{}: '{}' in [fixed] is a list; a list of values to sweep belongs in [axes]",
                              f.origin.empty() ? spec.origin : f.origin, f.key));
  }

  std::vector<std::vector<Assignment>> point_assignments;
  if (spec.design == Design::Grid) {
    std::size_t n = 1;
    for (const auto& ax : spec.axes) {
      check_param(ax.name, "axes", spec.origin);
      if (info.schema->find(ax.name)->type == ParamType::RealList)
        throw Error(fmt::format("{}: list parameter '{}' cannot be a sweep axis; set it in [fixed]", spec.origin, ax.name));
      // Validate each value on its own first, so the error names the axis.
      std::vector<Value> converted;
      for (const auto& v : ax.values)
        converted.push_back(info.schema->convert({ax.name, v, spec.origin + ": axis '" + ax.name + "'", false}, ctx));
      for (const auto& v : converted)
        if (v.index() != converted.front().index())
          throw Error(fmt::format("{}: axis '{}' mixes symbolic values and numbers ({} and {}); an axis needs values "
                                  "of one kind",
                                  spec.origin, ax.name, to_string(converted.front()), to_string(v)));
      plan.dims.push_back(ax.name);
      plan.shape.push_back(ax.values.size());
      plan.coords.push_back({ax.name, converted});
      n *= ax.values.size();
    }
    for (std::size_t p = 0; p < n; ++p) {
      std::vector<Assignment> a = spec.fixed;
      std::size_t rest = p;
      for (std::size_t d = spec.axes.size(); d-- > 0;) {
        const std::size_t i = rest % plan.shape[d];
        rest /= plan.shape[d];
        a.push_back({plan.dims[d], plan.coords[d].values[i], spec.origin + ": axis '" + plan.dims[d] + "'", false});
      }
      point_assignments.push_back(std::move(a));
    }
  } else {
    const auto count = static_cast<std::size_t>(spec.samples);
    plan.dims = {"point"};
    plan.shape = {count};
    for (std::size_t d = 0; d < spec.ranges.size(); ++d) {
      const auto& r = spec.ranges[d];
      check_param(r.name, "sampled ranges", spec.origin);
      const ParamSpec& ps = *info.schema->find(r.name);
      if (ps.type != ParamType::Int && ps.type != ParamType::Real)
        throw Error(fmt::format("{}: sampled parameter '{}' is {}; only int and real parameters can be sampled",
                                spec.origin, r.name, type_name(ps.type)));
      if (!(r.lo <= r.hi))
        throw Error(fmt::format("{}: sampled range '{}' = [{}, {}] must have low <= high", spec.origin, r.name, r.lo, r.hi));
      // Latin hypercube: one value in each of `count` equal strata, strata shuffled.
      std::vector<std::size_t> stratum(count);
      for (std::size_t k = 0; k < count; ++k) stratum[k] = k;
      Stream perm(spec.seed, kSamplingTag, static_cast<std::uint32_t>(d), 0);
      if (spec.design == Design::LatinHypercube)
        for (std::size_t k = count; k > 1; --k) std::swap(stratum[k - 1], stratum[perm.below(k)]);
      Stream unif(spec.seed, kSamplingTag, static_cast<std::uint32_t>(d), 1);
      Axis coord{r.name, {}};
      for (std::size_t k = 0; k < count; ++k) {
        double u = unif.uniform01();
        double x = spec.design == Design::LatinHypercube ? (static_cast<double>(stratum[k]) + u) / static_cast<double>(count) : u;
        if (ps.type == ParamType::Int) {
          auto lo = static_cast<std::int64_t>(std::ceil(r.lo)), hi = static_cast<std::int64_t>(std::floor(r.hi));
          coord.values.push_back(std::min(hi, lo + static_cast<std::int64_t>(std::floor(x * static_cast<double>(hi - lo + 1)))));
        } else {
          coord.values.push_back(r.lo + x * (r.hi - r.lo));
        }
      }
      plan.coords.push_back(std::move(coord));
    }
    for (std::size_t p = 0; p < count; ++p) {
      std::vector<Assignment> a = spec.fixed;
      for (const auto& c : plan.coords) a.push_back({c.name, c.values[p], spec.origin + ": sampled '" + c.name + "'", false});
      point_assignments.push_back(std::move(a));
    }
  }
  for (std::size_t p = 0; p < point_assignments.size(); ++p) {
    try {
      plan.points.push_back(resolve(info.schema, point_assignments[p], ctx));
    } catch (const Error& e) {
      if (point_assignments.size() == 1) throw;
      std::vector<std::string> at;
      for (std::size_t d = 0; d < plan.coords.size(); ++d) {
        for (const auto& a : point_assignments[p])
          if (a.key == plan.coords[d].name) at.push_back(a.key + " = " + to_string(a.value));
      }
      throw Error(fmt::format("{} (at sweep point {}: {})", e.what(), p, join(at)));
    }
  }
  for (std::size_t p = 0; p < plan.points.size(); ++p)
    for (std::int64_t r = 0; r < spec.replications; ++r)
      plan.seeds.push_back(derive_seed(spec.seed, static_cast<std::uint64_t>(r), spec.independent_seeds, p));
  finish_plan(plan);
  return plan;
}

SweepPlan plan_single(const ScenarioInfo& scenario, const std::vector<Assignment>& params, std::uint64_t seed) {
  SweepPlan plan;
  plan.scenario = &scenario;
  plan.spec.scenario = scenario.name;
  plan.spec.fixed = params;
  plan.spec.seed = seed;
  plan.spec.origin = "run";
  plan.single_run = true;
  plan.points.push_back(resolve(scenario.schema, params, scenario.name));
  plan.seeds = {seed};
  finish_plan(plan);
  return plan;
}

}  // namespace marketsim
