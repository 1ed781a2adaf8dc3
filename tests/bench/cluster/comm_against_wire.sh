#!/bin/sh
# Neighbour averaging against the wire (BENCHMARKS.md, "Across emulated hosts"): for each link
# rate and host count, an emulated cluster (tests/cluster/cluster.sh, one rank per host), then
# bench_mpi_neighbor_average with the bandwidth lower bounds; JSON Lines on stdout. The cluster
# is taken down afterwards, also on failure.
#   comm_against_wire.sh BENCH [RATES (1 10)] [HOSTS (4 8)] [FLOATS (25500000 2700000)] [REPS (5)]
set -eu
bench=$1
rates=${2:-1 10} hosts_list=${3:-4 8} sizes=${4:-25500000 2700000} reps=${5:-5}
cluster=$(cd "$(dirname "$0")/../../cluster" && pwd)/cluster.sh
export DECENT_CLUSTER_NAME=bnch
trap '"$cluster" down' EXIT
for rate in $rates; do
  for hosts in $hosts_list; do
    "$cluster" up --hosts "$hosts" --rate "${rate}gbit" >&2 || exit $?
    # shellcheck disable=SC2086
    timeout 1200 "$cluster" mpirun --np "$hosts" -- "$bench" $sizes --reps "$reps" --rate-gbit "$rate"
    "$cluster" down
  done
done
