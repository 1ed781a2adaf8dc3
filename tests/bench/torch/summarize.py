"""Medians per mode of step_time.py's JSON lines, with ratios to a baseline mode and to
compute-only: summarize.py FILE BASELINE [LIMIT_MODE LIMIT]; with a limit, exit 1 when
LIMIT_MODE's median over compute-only's exceeds it (a missed target). Two columns of step
times: the mean over ranks, and the slowest rank's (a step that couples the ranks waits for the
slowest, so the fair compute-only reference of a synchronous step is its slowest rank); the
target is judged on the slowest rank's."""
import json
import statistics
import sys

runs = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
baseline = sys.argv[2]
median, slowest = {}, {}
for r in runs:
    median.setdefault(r["mode"], []).append(r["step_s"])
    slowest.setdefault(r["mode"], []).append(r["slowest_step_s"])
median = {m: statistics.median(v) for m, v in median.items()}
slowest = {m: statistics.median(v) for m, v in slowest.items()}
print("| mode | runs | mean step (ms) | / %s | / compute-only | slowest rank's step (ms) | "
      "/ compute-only |" % baseline)
print("|---|---|---|---|---|---|---|")
for mode, value in median.items():
    count = sum(1 for r in runs if r["mode"] == mode)
    print("| %s | %d | %.1f | %.3f | %.3f | %.1f | %.3f |" % (
        mode, count, 1000 * value, value / median[baseline], value / median["compute"],
        1000 * slowest[mode], slowest[mode] / slowest["compute"]))
if len(sys.argv) > 4:
    mode, limit = sys.argv[3], float(sys.argv[4])
    ratio = slowest[mode] / slowest["compute"]
    print("%s / compute-only = %.3f (target <= %.2f): %s"
          % (mode, ratio, limit, "met" if ratio <= limit else "MISSED"))
    sys.exit(0 if ratio <= limit else 1)
