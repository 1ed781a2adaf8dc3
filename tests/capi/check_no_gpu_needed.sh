#!/bin/sh
# libdecent.so and the engine it links, libdecent_engine.so, need no CUDA, cuDNN, cuBLAS or NCCL
# library (their DT_NEEDED entries, followed through decent's own libraries), so that they load
# and run their CPU paths on machines without them; the GPU code is in the plugins
# libdecent_cuda.so and libdecent_gpu.so, loaded at run time. 0.1.0 needed libnccl.so.2.
#   check_no_gpu_needed.sh LIBDECENT
set -eu
dir=$(dirname "$1")
check() { # check FILE
  needed=$(objdump -p "$1" | awk '$1 == "NEEDED" { print $2 }')
  echo "$(basename "$1") needs: $(echo $needed)"
  if echo "$needed" | grep -E -i 'cuda|cudnn|cublas|nccl|nvrtc'; then
    echo "FAILED: a GPU library is needed"
    exit 1
  fi
  for lib in $needed; do
    case $lib in
      libdecent*) [ -f "$dir/$lib" ] || { echo "FAILED: $lib is not next to $1"; exit 1; }
                  check "$dir/$lib" ;;
    esac
  done
}
check "$1"
objdump -p "$1" | grep -q 'NEEDED *libdecent_engine' ||
  { echo "FAILED: libdecent.so does not link the engine library (is the engine inside it again?)"; exit 1; }
