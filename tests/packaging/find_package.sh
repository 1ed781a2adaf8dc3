#!/bin/sh
# Installs the build into a scratch prefix, then builds the C example as a user's CMake project
# would (find_package(decent 0 REQUIRED), target decent::decent), runs it briefly, and checks
# that asking for another major version fails.
# Usage: find_package.sh BUILD_DIR SOURCE_DIR; skips (77) without Fashion-MNIST.
set -eu
build=$1
source=$2
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  echo "skipped: /usr/share/datasets/fashion-mnist is missing (apt-get install dataset-fashion-mnist)"
  exit 77
fi
prefix=$build/find-package-install
work=$build/find-package-project
rm -rf "$prefix" "$work"
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$source/tests/packaging/find_package" -B "$work" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DDECENT_EXAMPLE_SOURCE="$source/examples/c/train_fashion_mnist.c" >/dev/null
cmake --build "$work" >/dev/null
"$work/train_fashion_mnist" lenet 40  # its exit status: the loss went down
# SameMajorVersion: 1 is not 0.
sed 's/find_package(decent 0 REQUIRED)/find_package(decent 1 REQUIRED)/' \
  "$source/tests/packaging/find_package/CMakeLists.txt" > "$work/v1.txt"
mkdir -p "$work/v1" && cp "$work/v1.txt" "$work/v1/CMakeLists.txt"
if cmake -S "$work/v1" -B "$work/v1/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DDECENT_EXAMPLE_SOURCE=x.c > "$work/v1.log" 2>&1; then
  echo "FAILED: find_package(decent 1) accepted version 0"
  exit 1
fi
grep -q "considered but not accepted" "$work/v1.log" ||
  { echo "FAILED: unexpected message for find_package(decent 1):"; cat "$work/v1.log"; exit 1; }
echo "find_package(decent 0) built and ran the example; find_package(decent 1) refused"
