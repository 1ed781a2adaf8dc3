#!/bin/sh
# Faults under mpirun end promptly with an error, never a crash or a hang (each bounded):
#  1. a rank arriving at an allreduce after the others timed out (C ABI): error statuses only;
#  2. ranks started with different settings (an MPMD launch): refused before the first step,
#     naming the rank and the settings, though the communication timeout is 120 s;
#  3. one rank failing alone (its checkpoint file missing): the job ends at once, not after the
#     others' 120 s timeout;
#  4. a rank stopped with SIGSTOP: the others time out (3 s) and the whole job ends, though a
#     stopped rank never reaches MPI_Finalize;
#  5. a rank that never starts: the others give up start-up after the timeout (3 s), naming it.
#   rank_faults.sh DECENT MPIRUN LATE_RANK_TEST
set -eu
decent=$1 mpirun=$2 late_test=$3
dir=$(mktemp -d)
stopped=""
cleanup() {
  [ -n "$stopped" ] && kill -CONT "$stopped" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
run="$mpirun --allow-run-as-root --oversubscribe"
fail() { echo "FAILED: $*"; cat "$dir/out" 2>/dev/null | tail -20; exit 1; }
now() { date +%s; }

# 1. The late rank.
start=$(now)
DECENT_COMM_TIMEOUT_S=2 timeout 60 $run -x DECENT_COMM_TIMEOUT_S -np 2 "$late_test" > "$dir/out" 2>&1 ||
  fail "late rank: the job failed (rc $?)"
grep -q "checks passed, 0 failed" "$dir/out" || fail "late rank: checks failed"
echo "1. late rank: error statuses, no crash ($(($(now) - start)) s)"

if ! "$decent" train --help > /dev/null 2>&1; then
  echo "decent train is not in this build (no oneDNN): cases 2-4 not run"
  exit 0
fi
common="train --model mlp --data synthetic --backend mpi --threads 1 -q --no-plots"

# 2. Different settings on the two ranks.
start=$(now)
rc=0
DECENT_COMM_TIMEOUT_S=120 timeout 100 $run -x DECENT_COMM_TIMEOUT_S \
  -np 1 "$decent" $common --out "$dir/a" --lr 0.1 : \
  -np 1 "$decent" $common --out "$dir/a" --lr 0.2 --seed 3 --topology ring --model lenet \
  > "$dir/out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "different settings: rc $rc"
grep -q "rank 1 differs from rank 0 in model, topology, lr, seed (rank 1 has model=lenet, topology=ring, lr=0.2, seed=3)" \
  "$dir/out" || fail "different settings: message"
[ $(($(now) - start)) -lt 30 ] || fail "different settings: took $(($(now) - start)) s"
echo "2. different settings: refused in $(($(now) - start)) s"

# 3. One rank fails alone.
timeout 100 $run -np 2 "$decent" $common --max-steps 2 --out "$dir/b" > "$dir/out" 2>&1 ||
  fail "checkpointed run"
rm "$dir/b/checkpoint/node-1.ckpt"
start=$(now)
rc=0
DECENT_COMM_TIMEOUT_S=120 timeout 100 $run -x DECENT_COMM_TIMEOUT_S -np 2 "$decent" $common \
  --resume "$dir/b/checkpoint" --out "$dir/c" > "$dir/out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "one rank failing: rc $rc"
grep -q "node-1.ckpt: cannot be opened" "$dir/out" || fail "one rank failing: message"
[ $(($(now) - start)) -lt 30 ] || fail "one rank failing: took $(($(now) - start)) s"
echo "3. one rank failing: the job ended in $(($(now) - start)) s"

# 4. A stopped rank.
DECENT_COMM_TIMEOUT_S=3 timeout 100 $run -x DECENT_COMM_TIMEOUT_S -np 2 "$decent" $common \
  --epochs 50 --out "$dir/stopped-run" > "$dir/out" 2>&1 &
job=$!
pid=""
for _ in $(seq 1 100); do  # at most 20 s for the ranks to start
  pid=$(pgrep -f "stopped-run" | while read -r p; do
    [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$(basename "$decent" | cut -c1-15)" ] && echo "$p"
  done | tail -n 1)
  [ -n "$pid" ] && break
  sleep 0.2
done
[ -n "$pid" ] || fail "stopped rank: no rank process found"
sleep 2
kill -STOP "$pid"
stopped=$pid
start=$(now)
rc=0
wait "$job" || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "stopped rank: rc $rc (124: hung until killed)"
grep -q "waited 3 s" "$dir/out" || fail "stopped rank: no timeout message"
[ $(($(now) - start)) -lt 40 ] || fail "stopped rank: took $(($(now) - start)) s"
echo "4. stopped rank: the job ended $(($(now) - start)) s after the stop"

# 5. A rank that never starts (here a program that never calls MPI): MPI_Init has no time limit,
#    so without decent's start-up watchdog the others would wait for ever.
start=$(now)
rc=0
DECENT_COMM_TIMEOUT_S=3 timeout 100 $run -x DECENT_COMM_TIMEOUT_S \
  -np 2 "$decent" $common --out "$dir/never" : -np 1 sh -c 'sleep 60' > "$dir/out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "rank never arriving: rc $rc (124: hung until killed)"
grep -q "rank 0 of 3: error: MPI start-up did not complete within 3 s: a rank of this job never arrived" \
  "$dir/out" || fail "rank never arriving: no message"
[ $(($(now) - start)) -lt 40 ] || fail "rank never arriving: took $(($(now) - start)) s"
echo "5. a rank that never starts: the job ended in $(($(now) - start)) s"
