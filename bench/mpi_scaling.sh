#!/usr/bin/env bash
# MPI sweep throughput (docs/distributed.md, docs/performance.md): runs per second of one
# fixed sweep as 1 rank x 2 threads and as 2 ranks x 1 thread, and the engine's cost per
# task on the MPI path (a sweep of near-empty runs). Each figure is the best of 3, as the
# CLI reports it ("N runs in S s (R runs/s)": the sweep itself, without process start-up).
#   bash bench/mpi_scaling.sh [build/marketsim]
set -euo pipefail
bin=$(realpath "${1:-build/marketsim}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpirun=(mpirun --oversubscribe --bind-to none)
[ "$(id -u)" -eq 0 ] && mpirun+=(--allow-run-as-root)

cat > "$tmp/work.toml" <<'TOML'
scenario = "boltzmann_wealth"
replications = 50
[fixed]
agents = 2000
rounds = 200
record_every = 50
[axes]
saving = [0.0, 0.25, 0.5, 0.75]
TOML
cat > "$tmp/empty.toml" <<'TOML'
scenario = "boltzmann_wealth"
replications = 10000
[fixed]
agents = 2
rounds = 1
TOML

best() {  # best runs/s of 3 repetitions of a command (it writes $tmp/o.h5)
  local best=0 r
  for _ in 1 2 3; do
    rm -f "$tmp/o.h5"
    r=$("$@" --out "$tmp/o.h5" | sed -n 's/.* runs in .* (\([0-9.]*\) runs\/s).*/\1/p')
    best=$(awk -v a="$best" -v b="$r" 'BEGIN { print (b > a ? b : a) }')
  done
  echo "$best"
}

printf '%-34s %12s %14s\n' "configuration" "runs/s" "us per task"
for spec in work empty; do
  n=$(awk -F' = ' '/^replications/ { r = $2 } /^saving/ { p = 4 } END { print r * (p ? p : 1) }' "$tmp/$spec.toml")
  for cfg in "1 process x 2 threads|$bin sweep $tmp/$spec.toml --threads 2" \
             "1 rank x 2 threads (mpirun)|${mpirun[*]} -n 1 $bin sweep $tmp/$spec.toml --threads 2" \
             "2 ranks x 1 thread (mpirun)|${mpirun[*]} -n 2 $bin sweep $tmp/$spec.toml --threads 1"; do
    label=${cfg%%|*}
    # shellcheck disable=SC2086
    r=$(best ${cfg#*|})
    printf '%-34s %12s %14s   (%s, %s runs)\n' "$label" "$r" "$(awk -v r="$r" 'BEGIN { printf "%.1f", 1e6 / r }')" "$spec" "$n"
  done
done
