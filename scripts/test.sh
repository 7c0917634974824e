#!/usr/bin/env bash
# Set up, build, and run every test: C++ unit and conformance tests (GoogleTest), the
# install + plugin walk-through, and the Python tests (pytest under /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" "$@"
