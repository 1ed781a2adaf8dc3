#!/usr/bin/env bash
# The consensus table of docs/RESULTS.md ("Consensus on node counts that are not powers of
# two"): gossip averaging from random vectors (decent consensus, float32) over ring, exp,
# one-peer-exp, the Base-(k+1) graphs (k = 1, 2), the Simple Base-2 graph and OD-EquiDyn, for
# n = 6, 12, 24, 48, 100. Prints the error after 4, 8 and 16 steps and the first step whose
# error is below 1e-6 (about the float32 floor of 1e-9 once exact).
#   bash docs/results/consensus_table.sh        (about 10 seconds)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
decent=${DECENT_BUILD_DIR:-$root/build}/decent
kinds=(ring exp one-peer-exp base:k=1 base:k=2 simple-base:k=1 od-equi-dyn)
header="| n |"
rule="|---|"
for k in "${kinds[@]}"; do header="$header $k: 4 / 8 / 16, below 1e-6 at |"; rule="$rule---|"; done
echo "$header"
echo "$rule"
for n in 6 12 24 48 100; do
  row="| $n |"
  for k in "${kinds[@]}"; do
    cell=$("$decent" consensus --topology "$k" --nodes "$n" --iters 64 --format json |
      /usr/bin/env python3 -c '
import json, sys
e = {r["iter"]: r["error"] for r in map(json.loads, sys.stdin)}
below = next((i for i in sorted(e) if e[i] < 1e-6), None)
print(" / ".join(f"{e[i]:.1e}" for i in (4, 8, 16)) + ", " + (f"**{below}**" if below else "> 64"))')
    row="$row $cell |"
  done
  echo "$row"
done
