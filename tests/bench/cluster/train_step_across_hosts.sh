#!/bin/sh
# The training step across emulated hosts (BENCHMARKS.md, "Across emulated hosts"): seconds per
# step of `decent train --backend mpi` on one rank per host, for compute only (local_sgd whose
# period is never reached: no exchange), D-SGD over one-peer-exp with AWC (the exchange overlaps
# the gradient), D-SGD in its ATC form and P-SGD (an all-reduce of the gradients each step), run
# one after the other on the same cluster. The time is that between the first and the last
# metric line (start-up and the first steps excluded), and the bytes each node sent per step
# (metrics' bytes_sent). JSON Lines on stdout. RUNS replaces the runs ("NAME:FLAGS" words, + for
# a space); RUNS=compressed is the compressed-gossip set (BENCHMARKS.md).
#   train_step_across_hosts.sh DECENT [MODELS (resnet20 resnet18)] [HOSTS (4)] [RATE (1)] [STEPS (30)]
set -eu
decent=$1
models=${2:-resnet20 resnet18} hosts=${3:-4} rate=${4:-1} steps=${5:-30}
cluster=$(cd "$(dirname "$0")/../../cluster" && pwd)/cluster.sh
export DECENT_CLUSTER_NAME=bnst
dir=$(mktemp -d)
trap '"$cluster" down; rm -rf "$dir"' EXIT
"$cluster" up --hosts "$hosts" --rate "${rate}gbit" >&2 || exit $?
every=$((steps / 6))
# "NAME:FLAGS" with + for the spaces of FLAGS.
one_peer="--topology+one-peer-exp"
runs=${RUNS:-"compute-only:--algorithm+local_sgd+--period+1048576 dsgd-awc:--algorithm+dsgd+--awc+$one_peer dsgd-atc:--algorithm+dsgd+$one_peer psgd:--algorithm+psgd"}
# CHOCO-SGD needs a static graph: D-SGD over the same exponential graph is its reference.
[ "$runs" = compressed ] && runs="compute-only:--algorithm+local_sgd+--period+1048576 \
dsgd-exp:--algorithm+dsgd+--topology+exp dsgd-one-peer-exp:--algorithm+dsgd+$one_peer \
choco-top1%:--algorithm+choco+--topology+exp+--compressor+top-k:0.01+--consensus-step+0.1 \
choco-qsgd4:--algorithm+choco+--topology+exp+--compressor+qsgd:4+--consensus-step+0.4 \
psgd:--algorithm+psgd"
for model in $models; do
  for run in $runs; do
    name=${run%%:*} flags=$(echo "${run#*:}" | tr + ' ')
    # shellcheck disable=SC2086
    timeout 1200 "$cluster" mpirun --np "$hosts" -- "$decent" train --backend mpi --model "$model" \
      $flags --max-steps "$steps" --log-every "$every" --test-limit 100 \
      --threads 1 --no-plots -q --out "$dir/$name" > /dev/null
    /usr/bin/python3 - "$dir/$name/metrics.jsonl" "$model" "$name" "$hosts" "$rate" << 'PY'
import json, sys
lines = [l for l in map(json.loads, open(sys.argv[1])) if l["kind"] == "train"]
first, last = lines[0], lines[-1]
steps = last["step"] - first["step"]
per_step = (last["time_s"] - first["time_s"]) / steps
bytes_per_step = (last.get("bytes_sent", 0) - first.get("bytes_sent", 0)) / steps / int(sys.argv[4])
print(json.dumps({"model": sys.argv[2], "run": sys.argv[3], "hosts": int(sys.argv[4]),
                  "rate_gbit": float(sys.argv[5]), "seconds_per_step": round(per_step, 4),
                  "bytes_per_node_step": round(bytes_per_step)}))
PY
  done
done
