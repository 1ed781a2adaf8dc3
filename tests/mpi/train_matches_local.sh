#!/bin/sh
# `mpirun -np 4 decent train --backend mpi` gives the same metrics as the in-process run with the
# same seed, bit for bit (every loss of the first 50 (or STEPS) steps, the test accuracy, test loss and
# consensus distance, the bytes sent), for D-SGD over the one-peer exponential graph, gradient
# tracking over a ring, CHOCO-SGD with 4-bit qsgd over the exponential graph (compressed messages
# whose random rounding comes from (seed, rank, step)), push-sum and DiLoCo's outer steps.
#   train_matches_local.sh DECENT MPIRUN [STEPS]   (default 50 steps)
set -eu
decent=$1
mpirun=$2
steps=${3:-50}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
common="--model lenet --data synthetic --batch 16 --lr 0.05 --max-steps $steps --log-every 1 --threads 1 -q --no-plots"
for run in "dsgd one-peer-exp" "gradient_tracking ring" \
  "choco exp --compressor qsgd:4 --consensus-step 0.5" "sgp one-peer-exp" "diloco ring --period 4"; do
  set -- $run
  algorithm=$1 topology=$2
  shift 2
  "$decent" train $common --algorithm "$algorithm" --topology "$topology" "$@" --nodes 4 \
    --out "$dir/local" > /dev/null
  OMP_NUM_THREADS=1 "$mpirun" --allow-run-as-root --oversubscribe -np 4 "$decent" train $common \
    --algorithm "$algorithm" --topology "$topology" "$@" --backend mpi --out "$dir/mpi" > /dev/null
  /usr/bin/env python3 - "$dir/local/metrics.jsonl" "$dir/mpi/metrics.jsonl" "$steps" "$algorithm" <<'PY'
import json, sys
steps = int(sys.argv[3])
# Everything but the clocks (time_s, images_per_second).
def metrics(path):
    return [{k: v for k, v in l.items() if k not in ("time_s", "images_per_second")}
            for l in map(json.loads, open(path))]
local, mpi = metrics(sys.argv[1]), metrics(sys.argv[2])
assert len(local) == len(mpi), (len(local), len(mpi))
# A train line per step, and an evaluation at each epoch's end and at the last step.
assert sum(l["kind"] == "train" for l in local) == steps, len(local)
assert sum(l["kind"] == "eval" for l in local) >= 1, len(local)
for a, b in zip(local, mpi):
    assert a == b, (a, b)
print(sys.argv[4] + ": metrics bit-identical over", steps, "steps and the evaluation")
PY
done
