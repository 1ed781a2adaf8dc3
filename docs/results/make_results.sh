#!/usr/bin/env bash
# Regenerates the figures of docs/RESULTS.md from the build in ./build (or $DECENT_BUILD_DIR):
#   bash docs/results/make_results.sh
# Writes docs/results/curves_n32.png and prints the tables (about 3 minutes on 2 cores). The
# long transient-stage runs (50,000 iterations, 3 seeds) are docs/results/transient_seeds.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
decent=${DECENT_BUILD_DIR:-$root/build}/decent
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One PNG of three log-scale panels of ||xbar - x*||^2 against iterations, one per graph, each
# with parallel SGD dashed: FILE HEIGHT TITLE SETTINGS CURVES. CURVES is gnuplot plot text,
# evaluated per panel with the graph's name in t.
plot_three_graphs() {
  gnuplot <<GP
set terminal pngcairo size 1500,$2 noenhanced
set output '$root/docs/results/$1'
set multiplot layout 1,3 title '$3'
set logscale y
set format y '%.0e'
set yrange [1e-30:100]
set grid
$4
set xlabel 'iteration'
do for [t in "ring exp one-peer-exp"] {
  set title t
  plot '$work/psgd.dat' u 1:2 w l lw 2 dt 2 lc rgb 'black' t 'psgd', $5
}
unset multiplot
GP
}

# 1. Error curves, n = 32, heterogeneous least squares, exact gradients, constant step 0.3.
common=(--nodes 32 --problem least-squares --data hetero --lr 0.3 --iters 1500 --log-every 10)
for topology in ring exp one-peer-exp; do
  for algorithm in dsgd gradient_tracking exact_diffusion; do
    "$decent" lab --algorithm "$algorithm" --topology "$topology" "${common[@]}" | sed 1,2d \
      > "$work/$topology-$algorithm.dat"
  done
done
"$decent" lab --algorithm psgd --topology full "${common[@]}" | sed 1,2d > "$work/psgd.dat"
echo "final ||xbar - x*||^2 after 1500 iterations (n = 32, heterogeneous least squares, step 0.3):"
printf '%-14s %14s %14s %14s\n' topology dsgd gradient_track exact_diffusion
for topology in ring exp one-peer-exp; do
  printf '%-14s' "$topology"
  for algorithm in dsgd gradient_tracking exact_diffusion; do
    printf ' %14s' "$(tail -1 "$work/$topology-$algorithm.dat" | awk '{print $2}')"
  done
  echo
done
printf '%-14s %14s\n' "psgd" "$(tail -1 "$work/psgd.dat" | awk '{print $2}')"

plot_three_graphs curves_n32.png 480 \
  'n = 32, heterogeneous least squares, exact gradients, step 0.3: ||xbar - x*||^2' '' \
  "'$work/'.t.'-dsgd.dat' u 1:2 w l lw 2 t 'dsgd', \
   '$work/'.t.'-gradient_tracking.dat' u 1:2 w l lw 2 t 'gradient tracking', \
   '$work/'.t.'-exact_diffusion.dat' u 1:2 w l lw 2 t 'exact diffusion'"
echo "wrote docs/results/curves_n32.png"

# 2. Transient iterations of D-SGD against parallel SGD, stochastic heterogeneous logistic
#    regression, decaying step 0.5 * 50/(50 + k), 3000 iterations, 2 seeds, smoothing 10.
"$decent" sweep --algorithms dsgd --topologies ring,exp,one-peer-exp --nodes 8,16,32 \
  --problem logistic --data hetero --batch 4 --lr 0.5 --lr-decay 50 --iters 3000 \
  --log-every 10 --repeats 2 --smoothing 10

# 3. Growth of the ring's transient stage with n (same setting).
"$decent" sweep --algorithms dsgd --topologies ring --nodes 8,16,24,32,48 \
  --problem logistic --data hetero --batch 4 --lr 0.5 --lr-decay 50 --iters 3000 \
  --log-every 10 --repeats 2 --smoothing 10

# 4. Gossip-AGA against Gossip-PGA (H = H0 = 4), ring, n = 32, stochastic heterogeneous data
#    (minibatch 4), decaying step 0.2 * 100/(100 + k), 3000 iterations: the final error of the
#    average, the consensus distance and how many global averages (all-reduces of x) each made.
echo "after 3000 iterations (ring, n = 32, heterogeneous, minibatch 4, H = H0 = 4):"
printf '%-14s %-10s %14s %14s %9s\n' problem algorithm error consensus averages
for problem in logistic least-squares; do
  for algorithm in dsgd pga aga psgd; do
    "$decent" lab --algorithm "$algorithm" --period 4 --topology ring --nodes 32 --data hetero \
      --problem "$problem" --batch 4 --lr 0.2 --lr-decay 100 --iters 3000 --log-every 3000 \
      | tail -1 | awk -v p="$problem" -v a="$algorithm" '{printf "%-14s %-10s %14s %14s %9s\n", p, a, $2, $3, $5}'
  done
done

# 5. Every algorithm on ring / exp / one-peer-exp, n = 32, the setting of section 1
#    (heterogeneous least squares, exact gradients, step 0.3; the momentum methods dmsgd and
#    decentlam take step 0.03 with beta = 0.9, the same effective step 0.03/(1 - 0.9); pga, aga
#    and local_sgd H = H0 = 8). D2 is left out: it needs a static symmetric W with
#    lambda_min > -1/3, which none of the three graphs is at n = 32 (tested on sym-exp instead).
#    decentlam refuses exp and one-peer-exp at beta = 0.9 (its momentum diverges on them).
all_algorithms=(dsgd dmsgd decentlam gradient_tracking exact_diffusion pga aga local_sgd)
step_of() { case "$1" in dmsgd|decentlam) echo 0.03 ;; *) echo 0.3 ;; esac; }
base=(--nodes 32 --problem least-squares --data hetero --iters 1500 --log-every 10 --period 8)
echo "final ||xbar - x*||^2 after 1500 iterations, every algorithm (n = 32, as in 1):"
printf '%-18s %14s %14s %14s\n' algorithm ring exp one-peer-exp
for algorithm in "${all_algorithms[@]}"; do
  printf '%-18s' "$algorithm"
  for topology in ring exp one-peer-exp; do
    # decentlam refuses the directed graphs, on which its momentum diverges (docs/algorithms.md).
    if "$decent" lab --algorithm "$algorithm" --topology "$topology" --lr "$(step_of "$algorithm")" \
        "${base[@]}" > "$work/all.out" 2> "$work/all.err"; then
      sed 1,2d "$work/all.out" > "$work/all-$topology-$algorithm.dat"
      printf ' %14s' "$(tail -1 "$work/all-$topology-$algorithm.dat" | awk '{print $2}')"
    else
      printf ' %14s' refused
    fi
  done
  echo
done
plot_three_graphs curves_all_n32.png 520 \
  'n = 32, heterogeneous least squares, exact gradients: ||xbar - x*||^2, every algorithm' \
  "set key bottom left font ',9'" \
  "for [a in \"${all_algorithms[*]}\"] '$work/all-'.t.'-'.a.'.dat' u 1:2 w l lw 2 t a"
echo "wrote docs/results/curves_all_n32.png"
