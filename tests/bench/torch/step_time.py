"""Step time of a PyTorch ResNet-20 (batch 32 of 3x32x32 per rank, SGD with momentum) under
mpirun, in one of these modes (every rank the same):

  compute   no communication at all (the baseline of the overlap check)
  atc       decent.torch's DecentralizedOptimizer, dsgd, adapt-then-combine
  awc       the same, adapt-with-combine (the exchange overlaps forward and backward)
  psgd      decent.torch's psgd (all-reduce of the gradients, fused)
  ddp       torch.nn.parallel.DistributedDataParallel over gloo (bucketed, overlapped)
  gloo      the hand-written loop: torch.distributed.all_reduce (gloo) of each gradient

Prints one JSON line (rank 0): mode, ranks, the mean step time over --steps steps after
--warmup, the slowest rank's. --master ADDR is rank 0's address for gloo (default 127.0.0.1)."""
import argparse
import json
import os
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import decent.torch as dt  # noqa: E402
from resnet20 import ResNet20  # noqa: E402


def gloo_group(master):
    port = torch.zeros(1, dtype=torch.float64)
    if dt.rank() == 0:
        with socket.socket() as s:
            s.bind((master, 0))
            port[0] = s.getsockname()[1]
    dt.broadcast(port)
    dist.init_process_group("gloo", init_method="tcp://%s:%d" % (master, int(port.item())),
                            rank=dt.rank(), world_size=dt.size())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", required=True,
                   choices=["compute", "atc", "awc", "psgd", "ddp", "gloo"])
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--topology", default="one-peer-exp")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--master", default="127.0.0.1")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    dt.init(topology=args.topology)
    torch.manual_seed(1)
    model = ResNet20()
    sgd = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    if args.mode in ("ddp", "gloo"):
        gloo_group(args.master)
    if args.mode == "ddp":
        model = torch.nn.parallel.DistributedDataParallel(model)
        sgd = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    opt = sgd
    if args.mode in ("atc", "awc", "psgd"):
        opt = dt.DecentralizedOptimizer(sgd, model, algorithm="psgd" if args.mode == "psgd"
                                        else "dsgd", awc=args.mode == "awc")
    g = torch.Generator().manual_seed(dt.rank())
    x = torch.randn(args.batch, 3, 32, 32, generator=g)
    y = torch.randint(0, 10, (args.batch,), generator=g)
    params = list(model.parameters())
    barrier = torch.zeros(1)
    for step in range(args.warmup + args.steps):
        if step == args.warmup:
            dt.allreduce(barrier)
            start = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        if args.mode == "gloo":
            world = float(dt.size())
            for q in params:
                dist.all_reduce(q.grad)
                q.grad /= world
        opt.step()
    elapsed = time.perf_counter() - start
    times = torch.zeros(dt.size(), dtype=torch.float64)
    times[dt.rank()] = elapsed / args.steps
    dt.allreduce(times, op="sum")
    if dt.rank() == 0:
        print(json.dumps({"mode": args.mode, "ranks": dt.size(), "topology": args.topology,
                          "parameters": sum(q.numel() for q in params),
                          "step_s": times.mean().item(), "slowest_step_s": times.max().item()}),
              flush=True)
    if args.mode in ("ddp", "gloo"):
        dist.destroy_process_group()
    if hasattr(opt, "close"):
        opt.close()
    dt.shutdown()


if __name__ == "__main__":
    main()
