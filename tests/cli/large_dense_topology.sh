#!/bin/sh
# `decent topology --kind random:p=1 --nodes 3000` (every pair connected: Metropolis weights give
# W = 11^T/n, so rho = 0) finishes with the right answer. It did not finish in 60 s in 0.1.0, which
# built W^(0) by applying it to the identity, 60% of the time; about 12 s now on 2 cores, most
# of it the dense symmetric eigenvalue solve. The ctest TIMEOUT (120 s) bounds it.
#   large_dense_topology.sh DECENT
set -eu
"$1" topology --kind random:p=1 --nodes 3000 --format json | /usr/bin/env python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["nodes"] == 3000 and d["max_degree"] == 2999, (d["nodes"], d["max_degree"])
assert d["rho"] < 1e-12, d["rho"]
# (the self weight, 1 minus 2999 others, carries their rounding: 4e-14)
assert all(abs(w - 1 / 3000) < 1e-12 for w in d["weights"][1234]), "row 1234 is not 1/n"
print("rho", d["rho"])'
