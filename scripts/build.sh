#!/usr/bin/env bash
# Configures (once) and builds marketsim in ./build (Release, Ninja). Quiet on success.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=/usr/bin/python3 > build-configure.log \
    || { cat build-configure.log; exit 1; }
  rm -f build-configure.log
fi
cmake --build build -- -j"$(nproc)" > build/build.log 2>&1 || { tail -50 build/build.log; exit 1; }

# Make `import marketsim` work from any directory with Debian's python3 (and in Jupyter
# kernels): a .pth file in site-packages pointing at the assembled package in build/python.
pth_dir=$(/usr/bin/python3 -c 'import site, sys; sys.stdout.write(site.getsitepackages()[0])')
[ -w "$pth_dir" ] || pth_dir=$(/usr/bin/python3 -c 'import site, sys; sys.stdout.write(site.getusersitepackages())')
mkdir -p "$pth_dir" 2>/dev/null || true
pth="$pth_dir/marketsim.pth"
want="$(pwd)/build/python"
if [ "$(cat "$pth" 2>/dev/null)" != "$want" ]; then
  if echo "$want" > "$pth" 2>/dev/null; then
    echo "build: python3 imports marketsim from $want (via $pth)" >&2
  else
    echo "build: cannot write $pth; use: export PYTHONPATH=$want" >&2
  fi
fi
