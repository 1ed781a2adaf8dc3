#!/bin/sh
# `mpirun -np 4 decent consensus --backend mpi` prints the same errors as the in-process run,
# bit for bit (as docs/communication.md says), for a static and a time-varying topology.
set -eu
decent=$1
mpirun=$2
for topology in ring one-peer-exp; do
  "$decent" consensus --topology "$topology" --nodes 4 --iters 20 --format json > local.jsonl
  "$mpirun" --allow-run-as-root --oversubscribe -np 4 "$decent" consensus --topology "$topology" \
    --iters 20 --backend mpi --format json > mpi.jsonl
  /usr/bin/env python3 - local.jsonl mpi.jsonl <<'PY'
import json, sys
local = [json.loads(l) for l in open(sys.argv[1])]
mpi = [json.loads(l) for l in open(sys.argv[2])]
assert len(local) == len(mpi) == 21, (len(local), len(mpi))
for a, b in zip(local, mpi):
    assert a["iter"] == b["iter"]
    assert a["error"] == b["error"], (a, b)
print("bit-identical:", len(local), "iterations")
PY
done
rm -f local.jsonl mpi.jsonl
