"""Compares a GPU training run with the CPU's run of the same options (device_check.sh step 4).

The reference, tests/gpu/expected/train_resnet20_8_nodes_cpu.jsonl, is the metrics.jsonl of

    decent train --model resnet20 --data fashion-mnist --data-dir build-gpu-deps/fashion-mnist \
      --nodes 8 --batch 32 --epochs 4 --max-steps 200 --log-every 20 --test-limit 2000

on the CPU (oneDNN), with the data tests/gpu/pack_dependencies.sh carries (the first 16384
training images, the first 2000 test images). Both runs start from the same weights, batches
and schedule; the GPU's float rounding differs (other convolution algorithms and reduction
orders), so the trajectories drift apart but must stay statistically the same. It fails
unless, on the GPU:
  - every loss is finite and there are as many metric lines, at the same steps;
  - the first line's mean loss (steps 1-20, where the trajectories have barely separated) is
    within 2% of the CPU's;
  - the loss falls: the last line's below 0.5x the first's (the CPU's falls to 0.23x);
  - the last line's loss is within 15% of the CPU's, and the final test accuracy within 3
    points of it.
How much rounding alone moves these: the same CPU run with 2 oneDNN threads per node instead of
1 (other reduction orders) gives a first loss 0.02% off, a last loss 4.6% off and +0.4 points.
How a wrong trainer fails them: with --lr 0.01 instead of 0.1 the first loss is 32% off, the
last 64% and the accuracy 8.9 points lower (all three fail); an untrained model is at 10%.

    python3 tests/gpu/compare_training.py CPU_METRICS GPU_METRICS
"""
import json
import math
import sys


def load(path):
    lines = [json.loads(line) for line in open(path) if line.strip()]
    train = [d for d in lines if d.get("kind") == "train"]
    evals = [d for d in lines if d.get("kind") == "eval"]
    return train, evals


def main():
    cpu_train, cpu_eval = load(sys.argv[1])
    gpu_train, gpu_eval = load(sys.argv[2])
    failures = []

    def check(ok, what):
        print(("ok       " if ok else "FAILED   ") + what)
        if not ok:
            failures.append(what)

    check([d["step"] for d in gpu_train] == [d["step"] for d in cpu_train],
          "metric lines at the CPU's steps %s" % [d["step"] for d in cpu_train])
    check(all(math.isfinite(d["loss"]) for d in gpu_train), "every GPU loss is finite")
    if failures:
        return 1
    c0, g0 = cpu_train[0]["loss"], gpu_train[0]["loss"]
    c1, g1 = cpu_train[-1]["loss"], gpu_train[-1]["loss"]
    ca, ga = cpu_eval[-1]["test_accuracy"], gpu_eval[-1]["test_accuracy"]
    print("cpu losses " + " ".join("%.4f" % d["loss"] for d in cpu_train) +
          "  test accuracy %.4f" % ca)
    print("gpu losses " + " ".join("%.4f" % d["loss"] for d in gpu_train) +
          "  test accuracy %.4f" % ga)
    print("ratio gpu/cpu first loss %.4f, last loss %.4f, accuracy %+.4f" %
          (g0 / c0, g1 / c1, ga - ca))
    check(abs(g0 / c0 - 1) <= 0.02, "first loss within 2%% of the CPU's (%.4f vs %.4f)" % (g0, c0))
    check(g1 < 0.5 * g0, "the loss falls below half its first value (%.4f -> %.4f)" % (g0, g1))
    check(abs(g1 / c1 - 1) <= 0.15, "last loss within 15%% of the CPU's (%.4f vs %.4f)" % (g1, c1))
    check(abs(ga - ca) <= 0.03, "test accuracy within 3 points of the CPU's (%.4f vs %.4f)" %
          (ga, ca))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
