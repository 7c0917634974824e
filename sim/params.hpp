#pragma once
// Parameter schemas and validated parameter sets.
//
// A scenario declares its parameters once (name, type, default, inclusive range, unit,
// one-line doc). That declaration drives validation of TOML files, `--set k=v` and
// Python keywords, `marketsim describe`, the HDF5 metadata and the docs tables.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace marketsim {

enum class ParamType { Int, Real, Bool, Choice, RealList };
std::string_view type_name(ParamType t);  // "int", "real", "bool", "choice", "real_list"

// A parameter value. A string held by an Int or Real parameter is a symbolic default
// (e.g. threshold = "all") until the parameter set is resolved.
using Value = std::variant<bool, std::int64_t, double, std::string, std::vector<double>>;
std::string to_string(const Value& v);  // as TOML writes it: 3, 0.25, true, "unit", [1.0, 2.5]

struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Real;
  Value default_value;
  Range range;
  std::vector<std::string> choices;            // ParamType::Choice only
  std::string unit;
  std::string doc;
  std::map<std::string, std::string> symbols;  // symbolic value -> parameter it follows
};

// Where an assignment came from, for error messages: "spec.toml:12", "--set", "Python".
struct Assignment {
  std::string key;
  Value value;
  std::string origin;
  bool is_text = false;  // value is text to parse per the parameter's type (CLI --set;
                         // a list of reals as "1,2.5,3" or "[1, 2.5, 3]")
};

class Params;
class Schema;

struct CrossCheck {
  std::vector<std::string> keys;  // the parameters involved, reported with their values
  std::string rule;               // e.g. "club_size <= suppliers"
  std::function<bool(const Params&)> holds;
};

class Schema {
 public:
  // Declarations; each returns the new spec so callers may refine it.
  ParamSpec& integer(std::string name, std::int64_t def, Range r, std::string unit, std::string doc);
  ParamSpec& real(std::string name, double def, Range r, std::string unit, std::string doc);
  ParamSpec& boolean(std::string name, bool def, std::string doc);
  ParamSpec& choice(std::string name, std::string def, std::vector<std::string> choices, std::string doc);
  // A list of reals (schedules, thresholds); `r` bounds every element.
  ParamSpec& real_list(std::string name, std::vector<double> def, Range r, std::string unit, std::string doc);
  // A symbolic value: `name = "<symbol>"` takes the value of parameter `follows`
  // (resolved per sweep point, so it follows `follows` when a sweep changes it).
  void symbol(std::string_view name, std::string symbol, std::string follows, bool is_default = false);
  void check(std::vector<std::string> keys, std::string rule, std::function<bool(const Params&)> holds);

  const std::vector<ParamSpec>& params() const { return params_; }
  const std::vector<CrossCheck>& checks() const { return checks_; }
  const ParamSpec* find(std::string_view name) const;
  std::size_t index(std::string_view name) const;  // throws Error for an unknown name
  std::vector<std::string> names() const;

  // Converts one assignment to the parameter's type (no range check); throws Error.
  Value convert(const Assignment& a, const std::string& context) const;

  std::string to_toml() const;  // the whole schema, for HDF5 metadata

 private:
  std::vector<ParamSpec> params_;
  std::vector<CrossCheck> checks_;
};

// Validates assignments on top of the schema's defaults: unknown keys, types, symbols,
// ranges, choices, then cross-parameter checks. `context` (the scenario) prefixes errors.
Params resolve(const std::shared_ptr<const Schema>& schema,
               const std::vector<Assignment>& assignments, const std::string& context);

// A complete, validated set of values: one per schema parameter, symbols resolved.
class Params {
 public:
  Params() = default;
  Params(std::shared_ptr<const Schema> schema, std::vector<Value> values)
      : schema_(std::move(schema)), values_(std::move(values)) {}

  std::int64_t integer(std::string_view name) const;
  double real(std::string_view name) const;  // also reads Int parameters
  bool boolean(std::string_view name) const;
  const std::string& choice(std::string_view name) const;
  const std::vector<double>& reals(std::string_view name) const;
  const Value& value(std::string_view name) const;
  const std::vector<Value>& values() const { return values_; }
  const Schema& schema() const { return *schema_; }
  const std::shared_ptr<const Schema>& schema_ptr() const { return schema_; }

  std::string to_toml() const;  // `key = value` lines in schema order
  bool operator==(const Params& o) const { return values_ == o.values_; }

 private:
  std::shared_ptr<const Schema> schema_;
  std::vector<Value> values_;
};

}  // namespace marketsim
