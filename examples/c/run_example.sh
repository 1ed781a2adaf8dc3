#!/bin/sh
# ctest smoke test of the C example: installs the build into a scratch prefix, builds the example
# with nothing but `pkg-config --cflags --libs decent`, and runs it briefly (MODEL, STEPS).
# Skips (77) without Fashion-MNIST.   usage: run_example.sh BUILD_DIR SOURCE_DIR MODEL STEPS
set -eu
build=$1 source=$2 model=$3 steps=$4
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  echo "skipped: /usr/share/datasets/fashion-mnist is missing (apt-get install dataset-fashion-mnist)"
  exit 77
fi
prefix=$build/example-install
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
pc_dir=$(dirname "$(find "$prefix" -name decent.pc)")
flags=$(PKG_CONFIG_PATH=$pc_dir pkg-config --cflags --libs decent)
libdir=$(PKG_CONFIG_PATH=$pc_dir pkg-config --variable=libdir decent)
cc -std=c11 -Wall -Wextra -Werror "$source/examples/c/train_fashion_mnist.c" $flags \
  -Wl,-rpath,"$libdir" -o "$prefix/train_fashion_mnist"
"$prefix/train_fashion_mnist" "$model" "$steps"
