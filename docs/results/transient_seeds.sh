#!/usr/bin/env bash
# The growth of D-SGD's transient stage over the ring with n, for several seeds, and its fit
# against the theory's expressions (docs/RESULTS.md, "Several seeds"):
#   bash docs/results/transient_seeds.sh [SEED ...]      (default seeds 0 1 2)
# Stochastic heterogeneous logistic regression (minibatch 4), decaying step
# 0.5 * 50/(50 + k), 50,000 iterations, n = 32..64; about 8 minutes per seed on 2 cores.
# Writes one sweep table per seed into $OUT (default runs/transient) and prints the fit.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
decent=${DECENT_BUILD_DIR:-$root/build}/decent
out=${OUT:-$root/runs/transient}
mkdir -p "$out"
seeds=("$@")
((${#seeds[@]})) || seeds=(0 1 2)
tables=()
for seed in "${seeds[@]}"; do
  "$decent" sweep --algorithms dsgd --topologies ring --nodes 32,40,48,56,64 \
    --problem logistic --data hetero --batch 4 --lr 0.5 --lr-decay 50 --iters 50000 \
    --log-every 10 --repeats 1 --smoothing 10 --seed "$seed" > "$out/seed$seed.txt"
  tables+=("$out/seed$seed.txt")
done
python3 "$root/docs/results/fit_transient.py" "${tables[@]}"
