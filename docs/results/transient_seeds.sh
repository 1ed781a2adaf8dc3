#!/usr/bin/env bash
# The growth of D-SGD's transient stage over the ring with n, over several seeds, and its fit
# against the theory's expressions (docs/RESULTS.md, "Transient iterations ... several seeds"):
#   bash docs/results/transient_seeds.sh [SEEDS]          (default 3: seeds 0, 1, 2)
# Stochastic heterogeneous logistic regression (minibatch 4), decaying step
# 0.5 * 50/(50 + k), 50,000 iterations, n = 32..64. One sweep per seed (about 8 minutes each on
# 2 cores), then one sweep whose curves are the average over all the seeds (SEEDS times as long).
# Writes the tables into $OUT (default runs/transient) and prints the fits.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
decent=${DECENT_BUILD_DIR:-$root/build}/decent
out=${OUT:-$root/runs/transient}
seeds=${1:-3}
mkdir -p "$out"
sweep() {
  "$decent" sweep --algorithms dsgd --topologies ring --nodes 32,40,48,56,64 \
    --problem logistic --data hetero --batch 4 --lr 0.5 --lr-decay 50 --iters 50000 \
    --log-every 10 --smoothing 10 "$@"
}
tables=()
for ((seed = 0; seed < seeds; ++seed)); do
  sweep --repeats 1 --seed "$seed" > "$out/seed$seed.txt"
  tables+=("$out/seed$seed.txt")
done
sweep --repeats "$seeds" --seed 0 > "$out/averaged.txt"
echo "== one table per seed"
python3 "$root/docs/results/fit_transient.py" "${tables[@]}"
echo "== curves averaged over the $seeds seeds"
python3 "$root/docs/results/fit_transient.py" "$out/averaged.txt"
