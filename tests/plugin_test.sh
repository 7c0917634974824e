#!/usr/bin/env bash
# Installs marketsim into a temporary prefix, builds the walk-through plugin of
# docs/adding-a-scenario.md (examples/my_scenario) against find_package(marketsim),
# and loads it through MARKETSIM_PLUGIN_PATH.
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$src/examples/my_scenario" -B "$work/plugin" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
cmake --build "$work/plugin" > "$work/build.log"
bin="$work/prefix/bin/marketsim"

export MARKETSIM_PLUGIN_PATH="$work/plugin"
"$bin" list | grep -q '^coin_flip_market ' || { echo "plugin scenario not listed"; exit 1; }
"$bin" describe coin_flip_market | grep -q 'efficiency' || { echo "describe lacks outputs"; exit 1; }
out=$("$bin" run coin_flip_market --set traders=500 --seed 3)
echo "$out" | grep -q '^efficiency' || { echo "run printed no efficiency: $out"; exit 1; }

cat > "$work/sweep.toml" <<'TOML'
scenario = "coin_flip_market"
replications = 3
[axes]
holders = [0.25, 0.75]
TOML
"$bin" sweep "$work/sweep.toml" --out "$work/plugin.h5" > /dev/null
"$bin" info "$work/plugin.h5" | grep -q 'complete runs: 6 of 6' || { echo "plugin sweep incomplete"; exit 1; }

# A second copy of the plugin registers a name that is taken: a clear error naming it.
cp "$work/plugin/libcoin_flip_market.so" "$work/copy.so" 2>/dev/null || cp "$work"/plugin/*.so "$work/copy.so"
if MARKETSIM_PLUGIN_PATH="$work/plugin:$work/copy.so" "$bin" list 2> "$work/err"; then
  echo "a duplicate scenario name was accepted"; exit 1
fi
grep -q "plugin '$work/copy.so': scenario 'coin_flip_market': a scenario of that name is already registered" "$work/err" \
  || { cat "$work/err"; exit 1; }
# info and diff do not need scenarios, so a broken plugin path does not stop them.
MARKETSIM_PLUGIN_PATH=/nonexistent "$bin" info "$work/plugin.h5" > /dev/null

# A bad plugin path is a clear one-line error, not a crash.
if MARKETSIM_PLUGIN_PATH=/nonexistent/plugin.so "$bin" list 2> "$work/err"; then
  echo "a missing plugin was accepted"; exit 1
fi
grep -q "MARKETSIM_PLUGIN_PATH entry '/nonexistent/plugin.so' does not exist" "$work/err" || { cat "$work/err"; exit 1; }
echo "plugin test passed"
