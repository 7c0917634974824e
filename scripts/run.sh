#!/usr/bin/env bash
# The main job: set up, build, and run the default sweep (hq_bidding: fifty cities bidding
# for a headquarters, free-for-all vs contingent pact vs cap, 400 replications), writing
# results/hq_bidding.h5 and printing a summary table.
#   bash scripts/run.sh [SPEC.toml [OUT.h5]]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
spec=${1:-scenarios/hq_bidding/main.toml}
# results/<spec name>.h5, or results/<scenario folder>.h5 for a folder's sweep.toml / main.toml
out=${2:-results/$(basename "$spec" .toml | sed -E 's/^(sweep|main)$//')}
[ "$out" = "results/" ] && out=results/$(basename "$(dirname "$spec")")
case "$out" in *.h5) ;; *) out="$out.h5" ;; esac
mkdir -p "$(dirname "$out")"
# After an interruption (Ctrl-C, a crash), the same command continues where it stopped.
resume=()
[ -f "$out.journal" ] && resume=(--resume)
./build/marketsim sweep "$spec" --out "$out" "${resume[@]}"
echo "open it: ./build/marketsim info $out   or, in Python: xarray.open_dataset('$out', engine='h5netcdf')"
