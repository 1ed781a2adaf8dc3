#!/bin/sh
# OpenMPI's "ssh" for the emulated cluster (cluster.sh): `rsh_agent.sh HOST COMMAND` runs
# COMMAND (one shell string, as ssh would) inside HOST's network namespace under HOST's own
# hostname. HOST is one of the names in the cluster's hosts file (h0, h1, ...).
set -eu
state=${DECENT_CLUSTER_STATE:-/run/decent-cluster}/${DECENT_CLUSTER_NAME:-dc}
# OpenMPI may put ssh-style options before the host; none of them matter here.
while [ $# -gt 0 ]; do
  case $1 in -*) shift ;; *) break ;; esac
done
host=$1
shift
ns=$(awk -v h="$host" '$1 == h {print $2}' "$state/hosts")
[ -n "$ns" ] || { echo "rsh_agent.sh: host '$host' is not in $state/hosts" >&2; exit 255; }
exec ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec sh -c "$1"' "$host" "$*"
