#!/bin/sh
# `mpirun -np 4 decent train --backend mpi` follows the same loss curve as the in-process run with
# the same seed (to 1e-4 relative, step by step over the first 50 steps), for D-SGD over the
# one-peer exponential graph and for gradient tracking over a ring.
set -eu
decent=$1
mpirun=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
common="--model lenet --data synthetic --batch 16 --lr 0.05 --max-steps 50 --log-every 1 --threads 1 -q --no-plots"
for run in "dsgd one-peer-exp" "gradient_tracking ring"; do
  set -- $run
  "$decent" train $common --algorithm "$1" --topology "$2" --nodes 4 --out "$dir/local" > /dev/null
  OMP_NUM_THREADS=1 "$mpirun" --allow-run-as-root --oversubscribe -np 4 "$decent" train $common \
    --algorithm "$1" --topology "$2" --backend mpi --out "$dir/mpi" > /dev/null
  /usr/bin/env python3 - "$dir/local/metrics.jsonl" "$dir/mpi/metrics.jsonl" <<'PY'
import json, sys
def losses(path):
    return [(l["step"], l["loss"]) for l in map(json.loads, open(path)) if l["kind"] == "train"]
local, mpi = losses(sys.argv[1]), losses(sys.argv[2])
assert len(local) == len(mpi) == 50, (len(local), len(mpi))
worst = 0.0
for (s, a), (t, b) in zip(local, mpi):
    assert s == t
    worst = max(worst, abs(a - b) / abs(a))
assert worst <= 1e-4, worst
print("loss curves agree over 50 steps; worst relative difference", worst)
PY
done
