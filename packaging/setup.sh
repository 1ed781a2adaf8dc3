#!/usr/bin/env bash
# Sets up decent on Debian 12: installs the Debian packages it needs (only the missing ones, so a
# second run is quick), then configures and builds into ./build (or $DECENT_BUILD_DIR).
#
#   bash packaging/setup.sh          install, configure, build
#   bash packaging/setup.sh --test   the same, then run the whole test suite with ctest
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${DECENT_BUILD_DIR:-$root/build}
run_tests=0
for arg in "$@"; do
  case "$arg" in
    --test) run_tests=1 ;;
    -h|--help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown argument '$arg' (expected --test or --help)" >&2; exit 2 ;;
  esac
done

packages=(
  g++ cmake ninja-build make pkg-config     # toolchain (make: the default-generator check)
  ccache                                    # the package build reuses the main build's objects
  libeigen3-dev libfmt-dev libcli11-dev     # linear algebra, formatting, command line
  nlohmann-json3-dev doctest-dev            # JSON output, unit tests
  libdnnl-dev                               # oneDNN: CPU layers
  zlib1g-dev                                # gzip-compressed datasets
  dataset-fashion-mnist                     # real data: /usr/share/datasets/fashion-mnist
  libopenmpi-dev openmpi-bin                # OpenMPI communicator
  graphviz                                  # renders `decent topology --format dot` (tested)
  gnuplot-nox                               # PNG plots (--plot)
  python3                                   # JSON checks in the MPI CLI test
  swig python3-dev python3-numpy python3-pytest  # the Python binding and its tests
  python3-torch                             # decent.torch, its tests and example; a reference
  abi-dumper abi-compliance-checker         # the ABI check against capi/abi's baseline
  clang-format                              # the formatting check (tests/check_format.sh)
  default-jdk-headless junit4               # the Java binding and its tests
  dpkg-dev lintian rpm rpmlint help2man file  # packages and their gates (packaging/build-packages.sh)
  debootstrap                               # the install test in a clean Debian root
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup.sh: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$jobs"

if ((run_tests)); then
  # OpenMPI refuses root unless told; CI runs as root.
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  # Benchmarks (label bench) are run by hand: see BENCHMARKS.md.
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  status=0
  ctest --test-dir "$build" --output-on-failure -j "$jobs" -LE bench 2>&1 | tee "$log" ||
    status=$?
  # This script installed every input the tests need, so only the GPU tests (no device here)
  # may skip; any other skip is a test that did not run and fails the suite.
  unexpected=$(grep -E '^ *[0-9]+ - .* \(Skipped\)$' "$log" | grep -v ' - gpu\.' || true)
  if [ -n "$unexpected" ]; then
    echo "setup.sh: these tests were skipped though their inputs were installed:" >&2
    echo "$unexpected" >&2
    status=1
  fi
  exit "$status"
fi
