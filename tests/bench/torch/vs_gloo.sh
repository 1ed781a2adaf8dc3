#!/bin/sh
# decent.torch against torch.distributed (gloo) on one host, 4 ranks under mpirun: step time of
# a PyTorch ResNet-20 (tests/bench/torch/step_time.py) with decent's D-SGD (one-peer-exp, ATC and
# AWC) and psgd, next to DistributedDataParallel over gloo and the hand-written gloo all-reduce of
# gradients. The modes take turns for ROUNDS rounds (the machine is shared and noisy); prints each
# run's JSON line, then the median per mode and its ratio to DDP's and to compute-only.
#   cd build && sh ../tests/bench/torch/vs_gloo.sh [ROUNDS [STEPS]]
set -eu
rounds=${1:-3} steps=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
export PYTHONPATH=${PYTHONPATH:-$PWD/python} OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "SKIP: PyTorch is not installed (Debian: apt install python3-torch)"; exit 77
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for round in $(seq "$rounds"); do
  for mode in compute ddp gloo psgd atc awc; do
    mpirun --oversubscribe -np 4 -x PYTHONPATH /usr/bin/python3 "$here/step_time.py" \
      --mode "$mode" --steps "$steps" | tee -a "$out"
  done
done
/usr/bin/python3 "$here/summarize.py" "$out" ddp
