#!/bin/sh
# Installs the build into a scratch prefix, then builds and runs the C ABI test against the
# installed header and library using only `pkg-config --cflags --libs decent`.
# Usage: install_and_pkg_config.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
source=$2
prefix=$build/test-install
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
pc_dir=$(dirname "$(find "$prefix" -name decent.pc)")
flags=$(PKG_CONFIG_PATH=$pc_dir pkg-config --cflags --libs decent)
libdir=$(PKG_CONFIG_PATH=$pc_dir pkg-config --variable=libdir decent)
echo "pkg-config: $flags"
cc -std=c11 "$source/tests/capi/capi_test.c" $flags -lm -Wl,-rpath,"$libdir" -o "$prefix/capi_test"
"$prefix/capi_test"
# The installed Python package imports and finds the installed libdecent through its RPATH.
pydir=$(find "$prefix" -type d -path '*dist-packages/decent' | head -1)
if [ -n "$pydir" ]; then
  PYTHONPATH=$(dirname "$pydir") /usr/bin/python3 -c \
    'import decent, sys; t = decent.Topology("ring", 4); assert t.nodes == 4; print("installed python package:", decent.__file__)'
fi
# The Julia package is installed (0.1.0's install left it out), and the CUDA plugin, when built,
# lies next to libdecent and loads from the installed command.
[ -f "$prefix/share/julia/packages/Decent/src/Decent.jl" ] ||
  { echo "FAILED: the Julia package is not installed"; exit 1; }
if grep -q 'with_cuda":true' "$build/CMakeCache.txt" 2>/dev/null || [ -f "$build/libdecent_cuda.so" ]; then
  [ -f "$libdir/decent/libdecent_cuda.so" ] || { echo "FAILED: libdecent_cuda.so is not installed"; exit 1; }
  "$prefix/bin/decent" --version | grep -q '"cuda_plugin":"loaded"' ||
    { echo "FAILED: the installed decent does not load its CUDA plugin"; exit 1; }
  # The GPU engine plugin too: found next to the installed engine and loaded (on a machine
  # without a GPU it then says so; "not loaded" would mean it was not found or not linkable).
  [ -f "$libdir/decent/libdecent_gpu.so" ] || { echo "FAILED: libdecent_gpu.so is not installed"; exit 1; }
  if "$prefix/bin/decent" --version | grep -q '"cuda_devices":0'; then
    set +e
    gpu=$("$prefix/bin/decent" train --model mlp --data synthetic --nodes 1 --max-steps 1 \
      --device cuda --out "" 2>&1)
    set -e
    echo "$gpu" | grep -q "GPU plugin: libdecent_gpu.so: no usable CUDA device" ||
      { echo "FAILED: the installed decent's --device cuda: $gpu"; exit 1; }
  fi
fi
# The engine is a private library next to libdecent (the command and libdecent both need it).
ls "$libdir"/libdecent_engine.so.* > /dev/null 2>&1 ||
  { echo "FAILED: libdecent_engine.so is not installed"; exit 1; }
echo "installed: header, library, pkg-config, Python, Julia${libdir:+, plugin if built}"
