#!/bin/sh
# libdecent.so needs no CUDA, cuDNN, cuBLAS or NCCL library (its DT_NEEDED entries), so that it
# loads and runs its CPU paths on machines without them; the GPU code is in libdecent_cuda.so,
# loaded at run time. 0.1.0 needed libnccl.so.2.
#   check_no_gpu_needed.sh LIBDECENT
set -eu
needed=$(objdump -p "$1" | awk '$1 == "NEEDED" { print $2 }')
echo "libdecent.so needs: $(echo $needed)"
if echo "$needed" | grep -E -i 'cuda|cudnn|cublas|nccl|nvrtc'; then
  echo "FAILED: a GPU library is needed"
  exit 1
fi
