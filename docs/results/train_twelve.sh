#!/usr/bin/env bash
# The 12-node training results of docs/RESULTS.md (12 is not a power of two): resnet20 on
# Fashion-MNIST with the recipe of train_fashion.sh on 12 in-process nodes, parallel SGD against
# D-SGD over the one-peer exponential graph and over the Base-2 graph (base:k=1), seeds 1 to 3.
#   bash docs/results/train_twelve.sh [OUT_DIR]   (about 20 minutes on 2 cores)
# Prints one table per seed and the 3-seed means.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-runs/twelve}
for seed in 1 2 3; do
  echo "seed $seed"
  NODES=12 SEED=$seed bash "$here/train_fashion.sh" "$out/seed$seed" psgd dsgd-one-peer-exp \
    dsgd-base-k1
done
echo "| run | seed 1 | seed 2 | seed 3 | mean |"
echo "|---|---|---|---|---|"
for name in psgd dsgd-one-peer-exp dsgd-base-k1; do
  /usr/bin/env python3 - "$out" "$name" <<'PY'
import json, sys
out, name = sys.argv[1], sys.argv[2]
acc = []
for seed in (1, 2, 3):
    lines = map(json.loads, open(f"{out}/seed{seed}/{name}/metrics.jsonl"))
    acc.append(100 * [l for l in lines if l["kind"] == "eval"][-1]["test_accuracy"])
print(f"| {name} | " + " | ".join(f"{a:.2f}%" for a in acc) + f" | {sum(acc) / 3:.2f}% |")
PY
done
