#!/bin/sh
# A drop-in for `mpirun` that launches on the emulated cluster named by $DECENT_CLUSTER_NAME
# (default "dc"; see cluster.sh), so the MPI test scripts run across hosts unchanged:
#   mpirun.sh [mpirun options] -np N PROGRAM ARGS...
exec "$(dirname "$0")/cluster.sh" mpirun -- "$@"
