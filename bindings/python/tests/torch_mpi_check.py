"""decent.torch under mpirun (4 ranks): the wrapped psgd against PyTorch's own all-reduce of
gradients (torch.distributed, gloo) to 1e-6; dsgd (ATC and AWC) and gradient tracking (AWC) bit
for bit against the hand-written loop of test_torch.py; exact averaging of float64 tensors
over one-peer-exp in log2(n) steps. Prints one line per check; exit 0 when all hold."""
import math
import os
import socket
import sys

try:
    import torch
    import torch.distributed as dist
except ImportError:
    print("SKIP: PyTorch is not installed (Debian: apt install python3-torch)")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import decent.torch as dt  # noqa: E402
from test_torch import STEPS, _data, _hand_loop, _make_net, _wrapped  # noqa: E402

torch.set_num_threads(1)
failures = []


def check(name, ok, detail=""):
    if dt.rank() == 0:
        print("%s %s %s" % ("ok  " if ok else "FAIL", name, detail), flush=True)
    if not ok:
        failures.append(name)


def gloo_group():
    """torch.distributed over gloo on this machine: rank 0 picks a free port and decent's
    broadcast tells the others."""
    port = torch.zeros(1, dtype=torch.float64)
    if dt.rank() == 0:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port[0] = s.getsockname()[1]
    dt.broadcast(port)
    dist.init_process_group("gloo", init_method="tcp://127.0.0.1:%d" % int(port.item()),
                            rank=dt.rank(), world_size=dt.size())


def psgd_against_gloo():
    make = lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3)  # noqa: E731
    ours = _wrapped("psgd", make)
    net = _make_net()
    opt = make(net.parameters())
    for k in range(STEPS):
        opt.zero_grad()
        x, y = _data(dt.rank(), k)
        torch.nn.functional.cross_entropy(net(x), y).backward()
        for p in net.parameters():
            dist.all_reduce(p.grad)
            p.grad /= dt.size()
        opt.step()
    diff = max((a - b).abs().max().item() for a, b in zip(ours, net.parameters()))
    check("psgd equals torch.distributed all-reduce of gradients", diff <= 1e-6,
          "(max difference %.2e)" % diff)


def equals_hand_loop(algorithm, awc):
    make = lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.0)  # noqa: E731
    hand = _hand_loop(algorithm, make, awc=awc)
    fused = _wrapped(algorithm, make, awc=awc)
    same = all(torch.equal(a, b) for a, b in zip(hand, fused))
    flags = torch.tensor([0.0 if same else 1.0], dtype=torch.float64)
    dt.allreduce(flags, op="sum")
    check("%s %s equals the hand-written loop bit for bit" % (algorithm, "AWC" if awc else "ATC"),
          flags.item() == 0, "(%d ranks differ)" % int(flags.item()))


def exact_average():
    n = dt.size()
    g = torch.Generator().manual_seed(dt.rank())
    x = torch.randn(1000, generator=g, dtype=torch.float64)
    mean = x.clone()
    dt.allreduce(mean)
    for k in range(int(math.log2(n))):
        dt.neighbor_average(x, step=k, topology=None)
    errors = torch.zeros(n, dtype=torch.float64)  # every rank's error, gathered by a sum
    errors[dt.rank()] = (x - mean).abs().max()
    dt.allreduce(errors, op="sum")
    check("one-peer-exp averages float64 exactly in log2(n) steps",
          errors.max().item() <= 1e-15, "(largest error %.1e)" % errors.max().item())


def main():
    dt.init(topology="one-peer-exp")
    if dt.size() & (dt.size() - 1):
        print("run with a power-of-2 number of ranks", file=sys.stderr)
        return 2
    gloo_group()
    exact_average()
    psgd_against_gloo()
    equals_hand_loop("dsgd", False)
    equals_hand_loop("dsgd", True)
    equals_hand_loop("gradient_tracking", True)
    dist.destroy_process_group()
    dt.shutdown()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
