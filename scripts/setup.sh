#!/usr/bin/env bash
# Installs the Debian packages marketsim needs, only those missing.
# Idempotent and quiet when everything is present. Debian's apt only (no PyPI).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libboost-random-dev libtbb-dev libhdf5-dev librandom123-dev
  libcli11-dev libtomlplusplus-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  pybind11-dev python3-dev
  openmpi-bin libopenmpi-dev
  python3-numpy python3-pandas python3-h5py python3-h5netcdf python3-xarray
  python3-matplotlib python3-pytest python3-nbclient python3-nbformat
  python3-ipykernel python3-ipywidgets python3-tqdm python3-scipy
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${#missing[@]} Debian package(s): ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
