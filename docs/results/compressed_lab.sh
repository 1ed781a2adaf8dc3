#!/bin/sh
# CHOCO-SGD against D-SGD in the convergence lab: the error of the average ||x_bar - x*||^2
# against the bytes each node sent, heterogeneous least squares (d = 50, 8 nodes, ring, decaying
# step 0.3 x 100 / (100 + k), 4000 iterations). Writes compressed_lab.png and prints a table of
# the error reached and the bytes spent. Needs gnuplot.
#   cd build && sh ../docs/results/compressed_lab.sh [OUT_DIR (../docs/results)]
set -eu
out=${1:-../docs/results}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common="-t ring -n 8 --data hetero -p least-squares -d 50 --lr 0.3 --lr-decay 100 -i 4000 --log-every 20 -f json"
for run in "dsgd:-a dsgd" "choco-top-k-0.1:-a choco --compressor top-k:0.1" \
  "choco-top-k-0.02:-a choco --compressor top-k:0.02" "choco-qsgd-4bit:-a choco --compressor qsgd:4" \
  "choco-sign:-a choco --compressor sign"; do
  name=${run%%:*} flags=${run#*:}
  # shellcheck disable=SC2086
  ./decent lab $common $flags > "$work/$name.jsonl"
  /usr/bin/python3 -c "
import json, sys
rows = [json.loads(l) for l in open('$work/$name.jsonl')]
with open('$work/$name.dat', 'w') as f:
    for r in rows[1:]:
        f.write('%g %g\n' % (r['bytes_sent'], r['error']))
last = rows[-1]
print('| $name | %.3e | %.0f |' % (last['error'], last['bytes_sent']))
"
done
plots=""
for f in "$work"/*.dat; do
  name=$(basename "$f" .dat)
  plots="$plots${plots:+, }'$f' using 1:2 with lines title '$name'"
done
gnuplot -e "set terminal png size 900,560; set output '$out/compressed_lab.png';
  set logscale xy; set xlabel 'bytes sent per node'; set ylabel '||mean(x) - x*||^2';
  set title 'CHOCO-SGD against D-SGD: error of the average against bytes sent (ring of 8, d = 50)';
  set key top right; plot $plots"
echo "wrote $out/compressed_lab.png"
