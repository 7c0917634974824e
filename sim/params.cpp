#include "sim/params.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

#include "sim/error.hpp"

namespace marketsim {

std::string_view type_name(ParamType t) {
  switch (t) {
    case ParamType::Int: return "int";
    case ParamType::Real: return "real";
    case ParamType::Bool: return "bool";
    case ParamType::Choice: return "choice";
    case ParamType::RealList: return "real_list";
  }
  return "?";
}

namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + "\"";
}

std::string format_real(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", x);  // shortest text that reads back exactly
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string format_bound(double x) {
  return x == std::floor(x) && std::fabs(x) < 1e15 ? fmt::format("{}", static_cast<long long>(x))
                                                   : format_real(x);
}

std::string expected(const ParamSpec& p) {
  std::string e;
  switch (p.type) {
    case ParamType::Int: e = "an integer"; break;
    case ParamType::Real: e = "a real number"; break;
    case ParamType::Bool: e = "true or false"; break;
    case ParamType::Choice: e = "one of: " + join(p.choices); break;
    case ParamType::RealList: e = "a list of real numbers"; break;
  }
  for (const auto& [sym, follows] : p.symbols) e += fmt::format(" or \"{}\" (= {})", sym, follows);
  return e;
}

std::string prefix(const std::string& origin, const std::string& context) {
  std::string s;
  if (!origin.empty()) s += origin + ": ";
  if (!context.empty()) s += context + ": ";
  return s;
}

}  // namespace

std::string to_string(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::int64_t>) return std::to_string(x);
        else if constexpr (std::is_same_v<T, double>) return format_real(x);
        else if constexpr (std::is_same_v<T, std::string>) return quote(x);
        else {
          std::string out = "[";
          for (std::size_t i = 0; i < x.size(); ++i) out += (i ? ", " : "") + format_real(x[i]);
          return out + "]";
        }
      },
      v);
}

ParamSpec& Schema::integer(std::string name, std::int64_t def, Range r, std::string unit, std::string doc) {
  return params_.emplace_back(ParamSpec{std::move(name), ParamType::Int, def, r, {}, std::move(unit), std::move(doc), {}});
}
ParamSpec& Schema::real(std::string name, double def, Range r, std::string unit, std::string doc) {
  return params_.emplace_back(ParamSpec{std::move(name), ParamType::Real, def, r, {}, std::move(unit), std::move(doc), {}});
}
ParamSpec& Schema::boolean(std::string name, bool def, std::string doc) {
  return params_.emplace_back(ParamSpec{std::move(name), ParamType::Bool, def, {}, {}, "", std::move(doc), {}});
}
ParamSpec& Schema::choice(std::string name, std::string def, std::vector<std::string> choices, std::string doc) {
  return params_.emplace_back(
      ParamSpec{std::move(name), ParamType::Choice, std::move(def), {}, std::move(choices), "", std::move(doc), {}});
}
ParamSpec& Schema::real_list(std::string name, std::vector<double> def, Range r, std::string unit, std::string doc) {
  return params_.emplace_back(
      ParamSpec{std::move(name), ParamType::RealList, std::move(def), r, {}, std::move(unit), std::move(doc), {}});
}
void Schema::symbol(std::string_view name, std::string symbol, std::string follows, bool is_default) {
  ParamSpec& p = params_.at(index(name));
  if (is_default) p.default_value = symbol;
  p.symbols[std::move(symbol)] = std::move(follows);
}
void Schema::check(std::vector<std::string> keys, std::string rule, std::function<bool(const Params&)> holds) {
  checks_.push_back({std::move(keys), std::move(rule), std::move(holds)});
}

const ParamSpec* Schema::find(std::string_view name) const {
  for (const auto& p : params_)
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> n;
  for (const auto& p : params_) n.push_back(p.name);
  return n;
}

std::size_t Schema::index(std::string_view name) const {
  for (std::size_t i = 0; i < params_.size(); ++i)
    if (params_[i].name == name) return i;
  throw Error(fmt::format("unknown parameter '{}'{}. Valid parameters: {}", name,
                          did_you_mean(name, names()), join(names())));
}

Value Schema::convert(const Assignment& a, const std::string& context) const {
  const ParamSpec* p = find(a.key);
  if (!p)
    throw Error(fmt::format("{}unknown parameter '{}'{}. Valid parameters: {}", prefix(a.origin, context), a.key,
                            did_you_mean(a.key, names()), join(names())));
  auto bad = [&](const std::string& got) {
    return Error(fmt::format("{}parameter '{}' expects {}, got {}", prefix(a.origin, context), p->name,
                             expected(*p), got));
  };
  if (a.is_text) {
    const std::string& text = std::get<std::string>(a.value);
    if (p->symbols.count(text)) return text;
    switch (p->type) {
      case ParamType::Int: {
        std::int64_t v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && end == text.data() + text.size()) return v;
        // Accept integral reals written as 1e6.
        char* e = nullptr;
        double d = std::strtod(text.c_str(), &e);
        if (!text.empty() && *e == '\0' && d == std::floor(d) && std::fabs(d) < 9e15)
          return static_cast<std::int64_t>(d);
        throw bad("'" + text + "'");
      }
      case ParamType::Real: {
        char* e = nullptr;
        double d = std::strtod(text.c_str(), &e);
        if (text.empty() || *e != '\0' || std::isnan(d)) throw bad("'" + text + "'");
        return d;
      }
      case ParamType::Bool:
        if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
        if (text == "false" || text == "0" || text == "no" || text == "off") return false;
        throw bad("'" + text + "'");
      case ParamType::Choice: return text;
      case ParamType::RealList: {
        std::string body = text;
        if (body.size() >= 2 && body.front() == '[' && body.back() == ']') body = body.substr(1, body.size() - 2);
        std::vector<double> list;
        std::size_t pos = 0;
        while (pos <= body.size() && body.find_first_not_of(" ") != std::string::npos) {
          std::size_t comma = body.find(',', pos);
          std::string item = body.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
          char* e = nullptr;
          double d = std::strtod(item.c_str(), &e);
          while (e && *e == ' ') ++e;
          if (item.find_first_not_of(' ') == std::string::npos || *e != '\0' || std::isnan(d)) throw bad("'" + text + "'");
          list.push_back(d);
          if (comma == std::string::npos) break;
          pos = comma + 1;
        }
        return list;
      }
    }
  }
  const Value& v = a.value;
  switch (p->type) {
    case ParamType::Int:
      if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
      if (auto* d = std::get_if<double>(&v); d && *d == std::floor(*d) && std::fabs(*d) < 9e15)
        return static_cast<std::int64_t>(*d);
      break;
    case ParamType::Real:
      if (auto* d = std::get_if<double>(&v)) return *d;
      if (auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
      break;
    case ParamType::Bool:
      if (auto* b = std::get_if<bool>(&v)) return *b;
      break;
    case ParamType::Choice:
      if (std::holds_alternative<std::string>(v)) return v;
      break;
    case ParamType::RealList:
      if (std::holds_alternative<std::vector<double>>(v)) return v;
      break;
  }
  if (auto* s = std::get_if<std::string>(&v); s && p->symbols.count(*s)) return v;
  throw bad(to_string(v));
}

Params resolve(const std::shared_ptr<const Schema>& schema, const std::vector<Assignment>& assignments,
               const std::string& context) {
  const auto& specs = schema->params();
  std::vector<Value> values;
  std::vector<std::string> origins(specs.size());
  for (const auto& p : specs) values.push_back(p.default_value);
  for (const auto& a : assignments) {
    Value v = schema->convert(a, context);
    std::size_t i = schema->index(a.key);
    values[i] = std::move(v);
    origins[i] = a.origin;
  }
  // Symbolic values follow another parameter (which must itself be concrete).
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto* sym = std::get_if<std::string>(&values[i]);
    if (!sym || specs[i].type == ParamType::Choice) continue;
    auto it = specs[i].symbols.find(*sym);
    if (it == specs[i].symbols.end())
      throw Error(fmt::format("{}parameter '{}' expects {}, got \"{}\"", prefix(origins[i], context), specs[i].name,
                              expected(specs[i]), *sym));
    const Value& target = values[schema->index(it->second)];
    if (specs[i].type == ParamType::Int && std::holds_alternative<std::int64_t>(target)) values[i] = target;
    else if (specs[i].type == ParamType::Real && std::holds_alternative<double>(target)) values[i] = target;
    else if (specs[i].type == ParamType::Real && std::holds_alternative<std::int64_t>(target))
      values[i] = static_cast<double>(std::get<std::int64_t>(target));
    else
      throw Error(fmt::format("{}parameter '{}' = \"{}\" cannot follow '{}'", prefix(origins[i], context),
                              specs[i].name, *sym, it->second));
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto& p = specs[i];
    if (p.type == ParamType::Choice) {
      const auto& s = std::get<std::string>(values[i]);
      if (std::find(p.choices.begin(), p.choices.end(), s) == p.choices.end())
        throw Error(fmt::format("{}parameter '{}' = \"{}\" is not one of: {}{}", prefix(origins[i], context), p.name,
                                s, join(p.choices), did_you_mean(s, p.choices)));
      continue;
    }
    if (p.type == ParamType::Bool) continue;
    if (p.type == ParamType::RealList) {
      const auto& list = std::get<std::vector<double>>(values[i]);
      for (std::size_t k = 0; k < list.size(); ++k)
        if (!(list[k] >= p.range.min && list[k] <= p.range.max))
          throw Error(fmt::format("{}parameter '{}' element {} = {} is out of range [{}, {}]", prefix(origins[i], context),
                                  p.name, k, format_real(list[k]), format_bound(p.range.min), format_bound(p.range.max)));
      continue;
    }
    double x = p.type == ParamType::Int ? static_cast<double>(std::get<std::int64_t>(values[i]))
                                        : std::get<double>(values[i]);
    if (!(x >= p.range.min && x <= p.range.max))
      throw Error(fmt::format("{}parameter '{}' = {} is out of range [{}, {}]", prefix(origins[i], context), p.name,
                              to_string(values[i]), format_bound(p.range.min), format_bound(p.range.max)));
  }
  Params params(schema, std::move(values));
  for (const auto& c : schema->checks()) {
    if (c.holds(params)) continue;
    std::vector<std::string> shown;
    for (const auto& k : c.keys) shown.push_back(k + " = " + to_string(params.value(k)));
    throw Error(fmt::format("{}parameters violate '{}' ({})", prefix("", context), c.rule, join(shown)));
  }
  return params;
}

std::string Schema::to_toml() const {
  std::string out;
  for (const auto& p : params_) {
    out += "[[param]]\n";
    out += "name = " + quote(p.name) + "\n";
    out += fmt::format("type = \"{}\"\n", type_name(p.type));
    out += "default = " + to_string(p.default_value) + "\n";
    if (p.type == ParamType::Int || p.type == ParamType::Real || p.type == ParamType::RealList) {
      if (std::isfinite(p.range.min)) out += "min = " + format_bound(p.range.min) + "\n";
      if (std::isfinite(p.range.max)) out += "max = " + format_bound(p.range.max) + "\n";
    }
    if (!p.choices.empty()) {
      std::vector<std::string> q;
      for (const auto& c : p.choices) q.push_back(quote(c));
      out += "choices = [" + join(q) + "]\n";
    }
    for (const auto& [sym, follows] : p.symbols) out += fmt::format("symbol.{} = {}\n", sym, quote(follows));
    out += "unit = " + quote(p.unit) + "\n";
    out += "doc = " + quote(p.doc) + "\n";
  }
  for (const auto& c : checks_) out += "[[check]]\nrule = " + quote(c.rule) + "\n";
  return out;
}

const Value& Params::value(std::string_view name) const { return values_.at(schema_->index(name)); }

std::int64_t Params::integer(std::string_view name) const { return std::get<std::int64_t>(value(name)); }
double Params::real(std::string_view name) const {
  const Value& v = value(name);
  if (auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return std::get<double>(v);
}
bool Params::boolean(std::string_view name) const { return std::get<bool>(value(name)); }
const std::string& Params::choice(std::string_view name) const { return std::get<std::string>(value(name)); }
const std::vector<double>& Params::reals(std::string_view name) const {
  return std::get<std::vector<double>>(value(name));
}

std::string Params::to_toml() const {
  std::string out;
  const auto& specs = schema_->params();
  for (std::size_t i = 0; i < specs.size(); ++i) out += specs[i].name + " = " + to_string(values_[i]) + "\n";
  return out;
}

}  // namespace marketsim
