#!/bin/sh
# Training-step throughput and peak memory of decent against PyTorch, side by side on this
# machine: for each configuration, decent and PyTorch alternate REPEATS times (so that both see
# the same background load) and the medians are compared.
#   usage: run.sh DECENT_BINARY [REPEATS]     (PyTorch: Debian's python3-torch, /usr/bin/python3)
# Prints one JSON line per configuration with both medians and the ratios
# (throughput decent/pytorch: higher is better; memory decent/pytorch: lower is better).
set -eu
decent=$1
repeats=${2:-3}
here=$(dirname "$0")
py=/usr/bin/python3
if ! $py -c 'import torch' 2>/dev/null; then
  echo "bench.nn_step: skipped: PyTorch is missing (apt-get install python3-torch)"
  exit 77
fi
echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; oneDNN $(dpkg-query -W -f='${Version}' libdnnl2 2>/dev/null || echo '?'), $($py -c 'import torch; print("torch", torch.__version__)')"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for config in "resnet20 128 10" "resnet18 32 5"; do
  set -- $config
  model=$1 batch=$2 steps=$3
  for r in $(seq "$repeats"); do
    "$decent" bench step --model "$model" --batch "$batch" --input 3x32x32 --threads 2 \
      --steps "$steps" --format json >> "$tmp/decent_$model"
    $py "$here/torch_step.py" --model "$model" --batch "$batch" --input 3x32x32 --threads 2 \
      --steps "$steps" >> "$tmp/torch_$model"
  done
  $py - "$tmp/decent_$model" "$tmp/torch_$model" <<'PY'
import json, statistics, sys
d = [json.loads(l) for l in open(sys.argv[1])]
t = [json.loads(l) for l in open(sys.argv[2])]
med = lambda rows, k: statistics.median(r[k] for r in rows)
out = {"model": d[0]["model"], "batch": d[0]["batch"], "threads": d[0]["threads"],
       "repeats": len(d),
       "decent_images_per_second": round(med(d, "images_per_second"), 1),
       "pytorch_images_per_second": round(med(t, "images_per_second"), 1),
       "throughput_ratio": round(med(d, "images_per_second") / med(t, "images_per_second"), 3),
       "decent_peak_rss_mib": round(med(d, "peak_rss_bytes") / 2**20, 1),
       "pytorch_peak_rss_mib": round(med(t, "peak_rss_bytes") / 2**20, 1),
       "memory_ratio": round(med(d, "peak_rss_bytes") / med(t, "peak_rss_bytes"), 3)}
print(json.dumps(out))
PY
done
