#!/bin/sh
# Compressed gossip on real data: resnet20 on Fashion-MNIST, 8 in-process nodes, 2 epochs (the
# settings of train_fashion.sh), over the static exponential graph that CHOCO needs: D-SGD,
# CHOCO-SGD with top-k 1% and with 4-bit qsgd (consensus steps from the sweep in docs/
# compression.md), and the same two CHOCO runs with the tuned default step. Prints one line per
# run: final test accuracy and bytes sent per node and step (from metrics.jsonl).
#   cd build && sh ../docs/results/train_compressed.sh [SEED (1)] [OUT (runs/compressed)]
set -eu
seed=${1:-1} out=${2:-runs/compressed}
for run in "dsgd-exp:--algorithm dsgd" \
  "choco-top1%:--algorithm choco --compressor top-k:0.01 --consensus-step ${TOPK_GAMMA:-0.1}" \
  "choco-qsgd4:--algorithm choco --compressor qsgd:4 --consensus-step ${QSGD_GAMMA:-0.4}" \
  "choco-top1%-tuned:--algorithm choco --compressor top-k:0.01" \
  "choco-qsgd4-tuned:--algorithm choco --compressor qsgd:4"; do
  name=${run%%:*} flags=${run#*:}
  [ -n "${ONLY:-}" ] && case " $ONLY " in *" $name "*) ;; *) continue ;; esac
  # shellcheck disable=SC2086
  ./decent train --model resnet20 --data fashion-mnist --nodes 8 --topology exp --epochs 2 \
    --seed "$seed" $flags --no-plots -q --out "$out/$name-$seed" > /dev/null
  /usr/bin/python3 - "$out/$name-$seed/metrics.jsonl" "$name" "$seed" << 'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
train = [r for r in rows if r["kind"] == "train"]
evals = [r for r in rows if r["kind"] == "eval"]
last = train[-1]
print(json.dumps({"run": sys.argv[2], "seed": int(sys.argv[3]),
                  "test_accuracy": evals[-1]["test_accuracy"],
                  "consensus_distance": evals[-1]["consensus_distance"],
                  "bytes_per_node_step": round(last["bytes_sent"] / last["step"] / 8),
                  "seconds": round(evals[-1]["time_s"])}))
PY
done
