#!/bin/sh
# `cmake -S . -B DIR` with CMake's default generator (Unix Makefiles) configures and generates:
# the CUDA code once made every C++ target that linked the engine require a CUDA20 dialect,
# which only the Ninja generator did not check. (Configure and generate only: the build itself
# is the one CI runs with Ninja.)
#   check_default_generator.sh SOURCE_DIR
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
command -v make > /dev/null 2>&1 || { echo "make is not installed"; exit 77; }
env -u CMAKE_GENERATOR cmake -S "$1" -B "$dir" -DCMAKE_BUILD_TYPE=Release > "$dir.log" 2>&1 ||
  { cat "$dir.log"; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
grep -q '^CMAKE_GENERATOR:INTERNAL=Unix Makefiles$' "$dir/CMakeCache.txt"
echo "configured and generated with Unix Makefiles"
