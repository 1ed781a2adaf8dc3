#!/bin/sh
# The AWC overlap of decent.torch on a slow link: HOSTS emulated hosts (tests/cluster/cluster.sh,
# network namespaces, tbf-shaped links at RATE), one rank each, a PyTorch ResNet-20 with decent's
# D-SGD over one-peer-exp. Target: the AWC step within 1.1x of the compute-only step, while ATC
# (exchange after the update, nothing to hide it behind) pays the link's time. The modes take
# turns for ROUNDS rounds; medians and ratios, exit 1 when the target is missed. As root.
# 2 hosts (default) give each rank a core of this 2-core machine; with 4, the ranks share them.
#   cd build && sh ../tests/bench/torch/overlap.sh [RATE [ROUNDS [STEPS [HOSTS]]]]
set -eu
rate=${1:-50mbit} rounds=${2:-3} steps=${3:-20} hosts=${4:-2}
here=$(cd "$(dirname "$0")" && pwd)
cluster=$here/../../cluster/cluster.sh
export PYTHONPATH=${PYTHONPATH:-$PWD/python} DECENT_CLUSTER_NAME=tov
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "SKIP: PyTorch is not installed (Debian: apt install python3-torch)"; exit 77
fi
out=$(mktemp)
trap 'sh "$cluster" down >/dev/null 2>&1 || true; rm -f "$out"' EXIT INT TERM
sh "$cluster" up --hosts "$hosts" --rate "$rate"
for round in $(seq "$rounds"); do
  for mode in compute atc awc; do
    timeout 600 sh "$cluster" mpirun --np "$hosts" -- -x PYTHONPATH /usr/bin/python3 \
      "$here/step_time.py" --mode "$mode" --steps "$steps" | tee -a "$out"
  done
done
echo "link: $rate per host, each way; $hosts hosts, one rank each"
/usr/bin/python3 "$here/summarize.py" "$out" compute awc 1.10
