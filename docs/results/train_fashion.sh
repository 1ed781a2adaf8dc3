#!/usr/bin/env bash
# The training results of docs/RESULTS.md: resnet20 on Fashion-MNIST, 8 in-process nodes, 2
# epochs, batch 32 per node (global batch 256), lr 0.1 with momentum 0.9 and a cosine schedule,
# weight decay 5e-4, seed 1, for parallel SGD and D-SGD over ring, static exponential and
# one-peer exponential graphs, Gossip-PGA (ring, global average every 8 steps) and Gossip-AGA
# (ring, initial period 8, adapted to the loss).
#   bash docs/results/train_fashion.sh [OUT_DIR] [NAME ...]   (about 15 minutes on 2 cores)
# NAMEs pick some of the runs (default: all). NODES and SEED (environment) change the node count
# (default 8) and the seed (default 1); docs/results/train_twelve.sh uses them.
# Writes each run into OUT_DIR/<name> (default runs/fashion) and prints a Markdown table; copies
# the accuracy and consensus curves into docs/results/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
decent=${DECENT_BUILD_DIR:-$root/build}/decent
out=${1:-runs/fashion}
shift $(($# > 0 ? 1 : 0))
common=(--model resnet20 --data fashion-mnist --nodes "${NODES:-8}" --epochs 2 --batch 32 --lr 0.1
        --momentum 0.9 --weight-decay 5e-4 --schedule cosine --seed "${SEED:-1}" --log-every 50 -q)
runs=(
  "psgd|--algorithm psgd --topology full"
  "dsgd-ring|--algorithm dsgd --topology ring"
  "dsgd-exp|--algorithm dsgd --topology exp"
  "dsgd-one-peer-exp|--algorithm dsgd --topology one-peer-exp"
  "dsgd-base-k1|--algorithm dsgd --topology base:k=1"
  "pga-ring-H8|--algorithm pga --topology ring --period 8"
  "aga-ring-H8|--algorithm aga --topology ring --period 8"
)
if (($# > 0)); then
  picked=()
  for r in "${runs[@]}"; do
    for want in "$@"; do [[ ${r%%|*} == "$want" ]] && picked+=("$r"); done
  done
  runs=("${picked[@]}")
fi
for r in "${runs[@]}"; do
  name=${r%%|*}
  read -r -a flags <<< "${r#*|}"
  echo "== $name" >&2
  "$decent" train "${common[@]}" "${flags[@]}" --out "$out/$name" >&2
done
echo "| run | test accuracy (epoch 1) | test accuracy (epoch 2) | consensus distance (end) | global averages | wall time |"
echo "|---|---|---|---|---|---|"
for r in "${runs[@]}"; do
  name=${r%%|*}
  /usr/bin/env python3 - "$out/$name/metrics.jsonl" "$name" <<'PY'
import json, sys
lines = list(map(json.loads, open(sys.argv[1])))
ev = [l for l in lines if l["kind"] == "eval"]
averages = [l for l in lines if l["kind"] == "train"][-1]["global_averages"]
print(f"| {sys.argv[2]} | {100*ev[0]['test_accuracy']:.2f}% | {100*ev[-1]['test_accuracy']:.2f}% | "
      f"{ev[-1]['consensus_distance']:.2e} | {averages} | {ev[-1]['time_s']:.0f} s |")
PY
done
# One plot of every run's training loss against steps (gnuplot, inline data); only for the full
# set, so that a partial rerun leaves the committed figure alone.
(($# > 0)) && exit 0
{
  echo 'set terminal pngcairo size 900,540; set output "'"$root"'/docs/results/fashion_loss.png"'
  echo 'set title "resnet20 on Fashion-MNIST, 8 nodes: training loss"; set xlabel "step"; set ylabel "loss"; set logscale y; set key top right'
  plot="plot"
  for r in "${runs[@]}"; do
    name=${r%%|*}
    echo "\$${name//-/_} << EOD"
    /usr/bin/env python3 -c 'import json,sys; [print(l["step"], l["loss"]) for l in map(json.loads, open(sys.argv[1])) if l["kind"]=="train"]' "$out/$name/metrics.jsonl"
    echo "EOD"
    plot="$plot \$${name//-/_} with lines title \"$name\","
  done
  echo "${plot%,}"
} | gnuplot
