#!/usr/bin/env bash
# Installs the Debian packages nsbench needs (only those missing, so a second run changes
# nothing), then configures and builds into build/ (or $NSBENCH_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # toolchain
  g++ cmake make pkgconf clang llvm clang-format
  # libraries
  libbpf-dev libelf-dev zlib1g-dev bpftool libmnl-dev
  libbenchmark-dev libgtest-dev libgmock-dev
  prometheus-cpp-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  # tools the tests and side-by-side benchmarks run
  prometheus util-linux procps iproute2 bpftrace bubblewrap tini dumb-init
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done

if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run as root or 'sudo apt-get install ${missing[*]}'" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_dir=${NSBENCH_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
