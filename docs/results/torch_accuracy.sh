#!/bin/sh
# decent.torch's example (examples/python/torch_dsgd.py) under mpirun -np 4: D-SGD over the
# one-peer exponential graph against the same loop with all-reduce of gradients (psgd), 3 seeds,
# 2 epochs each (about 3 minutes a run on 2 cores). Prints one JSON line per run and a table.
#   cd build && sh ../docs/results/torch_accuracy.sh [EPOCHS] > torch_accuracy.jsonl
set -eu
epochs=${1:-2}
here=$(cd "$(dirname "$0")" && pwd)
export PYTHONPATH=${PYTHONPATH:-$PWD/python} OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for seed in 1 2 3; do
  for algorithm in psgd dsgd; do
    mpirun --oversubscribe -np 4 -x PYTHONPATH /usr/bin/python3 "$here/../../examples/python/torch_dsgd.py" \
      --algorithm "$algorithm" --seed "$seed" --epochs "$epochs" --log-every 200 --json |
      grep '^{' | tee -a "$out"
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
acc = {}
for r in runs:
    acc.setdefault(r["algorithm"], {})[r["seed"]] = 100 * r["test_accuracy"]
print("| run | " + " | ".join("seed %d" % s for s in sorted(acc["psgd"])) + " | mean |")
print("|---|" + "---|" * (len(acc["psgd"]) + 1))
for name, label in (("psgd", "all-reduce of gradients (psgd)"), ("dsgd", "D-SGD, one-peer-exp")):
    values = [acc[name][s] for s in sorted(acc[name])]
    print("| %s | %s | %.2f%% |" % (label, " | ".join("%.2f%%" % v for v in values),
                                   sum(values) / len(values)))
gap = sum(acc["psgd"].values()) / 3 - sum(acc["dsgd"].values()) / 3
print("gap (psgd - dsgd), 3-seed mean: %.2f points" % gap)
PY
