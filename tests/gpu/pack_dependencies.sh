#!/usr/bin/env bash
# Copies what a CUDA-only build of decent needs from this machine's Debian packages into
# build-gpu-deps/ (a CMake prefix: headers, CMake package files, libz), for a GPU machine that
# has CUDA but no Debian packages: carry that folder with the working tree and run
# tests/gpu/device_check.sh there. Header-only libraries (Eigen, fmt, CLI11, nlohmann-json,
# doctest) travel as headers; fmt's CMake files name its shared library, which travels too but
# is not linked (decent uses fmt header-only). Fashion-MNIST travels too, for the GPU training
# check: its first 16384 training images (IDX files of that count, as Debian's
# dataset-fashion-mnist has them) and the whole test set. About 23 MiB.
#
#   bash tests/gpu/pack_dependencies.sh [DIR]    (default: build-gpu-deps)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$root/build-gpu-deps}
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
need() {
  for f in "$@"; do
    [ -e "$f" ] || { echo "pack_dependencies.sh: $f is missing (run bash packaging/setup.sh)" >&2; exit 1; }
  done
}
need /usr/include/eigen3 /usr/include/fmt /usr/include/CLI /usr/include/nlohmann \
     /usr/include/doctest /usr/include/zlib.h /usr/share/eigen3/cmake \
     "/usr/lib/$arch/cmake/fmt" /usr/share/cmake/CLI11 /usr/share/cmake/nlohmann_json \
     /usr/lib/cmake/doctest
rm -rf "$out"
mkdir -p "$out/include" "$out/lib/$arch/cmake" "$out/share/cmake" "$out/share/eigen3" \
         "$out/lib/cmake"
# The same layout under the prefix as under /usr, so the packages' relative paths still hold.
cp -a /usr/include/eigen3 /usr/include/fmt /usr/include/CLI /usr/include/nlohmann \
      /usr/include/doctest /usr/include/zlib.h /usr/include/zconf.h "$out/include/"
cp -a /usr/share/eigen3/cmake "$out/share/eigen3/"
cp -a "/usr/lib/$arch/cmake/fmt" "$out/lib/$arch/cmake/"
cp -a /usr/share/cmake/CLI11 /usr/share/cmake/nlohmann_json "$out/share/cmake/"
cp -a /usr/lib/cmake/doctest "$out/lib/cmake/"
cp -L "/usr/lib/$arch/libfmt.so.9.1.0" "$out/lib/$arch/"
cp -L "/usr/lib/$arch/libz.so.1" "$out/lib/libz.so.1"
ln -sf libz.so.1 "$out/lib/libz.so"
data=/usr/share/datasets/fashion-mnist
need "$data/train-images-idx3-ubyte.gz" "$data/t10k-images-idx3-ubyte.gz"
mkdir -p "$out/fashion-mnist"
cp "$data"/t10k-*-idx?-ubyte.gz "$out/fashion-mnist/"
/usr/bin/python3 - "$data" "$out/fashion-mnist" 16384 <<'PY'
import gzip, struct, sys
src, dst, keep = sys.argv[1], sys.argv[2], int(sys.argv[3])
for name, item in (("train-images-idx3-ubyte.gz", 28 * 28), ("train-labels-idx1-ubyte.gz", 1)):
    data = gzip.open(f"{src}/{name}").read()
    dims = data[3]
    header = bytearray(data[:4 + 4 * dims])
    struct.pack_into(">I", header, 4, keep)  # the item count, first dimension
    body = data[4 + 4 * dims:4 + 4 * dims + keep * item]
    with gzip.open(f"{dst}/{name}", "wb", compresslevel=9) as f:
        f.write(bytes(header) + body)
PY
du -sh "$out" | sed 's/^/pack_dependencies.sh: /'
