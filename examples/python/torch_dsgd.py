#!/usr/bin/python3
"""A PyTorch CNN trained on Fashion-MNIST with decent's decentralized optimizer: D-SGD over the
one-peer exponential graph, each MPI rank a node (or in-process nodes without mpirun).

    mpirun -np 4 /usr/bin/python3 examples/python/torch_dsgd.py             # 4 ranks
    /usr/bin/python3 examples/python/torch_dsgd.py --nodes 4                # 4 threads
    mpirun -np 4 ... torch_dsgd.py --algorithm psgd                         # the all-reduce loop

(PYTHONPATH=build/python from a build tree.) The training loop is PyTorch's own; decent adds
init(), the optimizer wrapper and the evaluation of the node-averaged model. Prints the mean
training loss over the nodes every --log-every steps and the test accuracy of the averaged
model after every epoch; exit status 0 when the last report's loss is below 3/4 of the first's
(a model that does not learn stays near its first loss, about 2.3 = ln 10)."""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import decent
import decent.torch as dt


class Net(nn.Module):
    """Two convolutions with batch norm, then two linear layers (about 420,000 parameters)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(64)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def load(train, node, nodes, seed):
    """This node's share of a split: decent reads Debian's Fashion-MNIST and normalises it."""
    with decent.Dataset("fashion-mnist", train=train) as data:
        indices = data.partition("iid", nodes, node, seed) if train else \
            list(range(node, len(data), nodes))
        images, labels = data.batch(indices)
    return torch.from_numpy(images), torch.from_numpy(labels).long()


def evaluate(model, images, labels):
    """Test accuracy of the node-averaged model (parameters and batch-norm statistics), each
    node scoring its share of the test set."""
    averaged = Net()
    averaged.load_state_dict(model.state_dict())
    dt.allreduce([t for t in averaged.state_dict().values() if t.is_floating_point()])
    averaged.eval()
    with torch.no_grad():
        correct = sum((averaged(x).argmax(1) == y).sum().item()
                      for x, y in zip(images.split(1000), labels.split(1000)))
    counts = dt.allreduce(torch.tensor([float(correct), float(len(labels))],
                                       dtype=torch.float64), op="sum")
    return (counts[0] / counts[1]).item()


def train(args):
    rank, nodes = dt.rank(), dt.size()
    torch.manual_seed(args.seed)  # every node builds the same model; the optimizer broadcasts
    model = Net()
    opt = dt.DecentralizedOptimizer(
        torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4),
        model, algorithm=args.algorithm, awc=args.awc)
    images, labels = load(True, rank, nodes, args.seed)
    test_images, test_labels = load(False, rank, nodes, args.seed)
    steps_per_epoch = len(labels) // args.batch
    total = args.epochs * steps_per_epoch if args.max_steps == 0 else args.max_steps
    epochs = -(-total // steps_per_epoch)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, total)
    g = torch.Generator().manual_seed(args.seed * 1000 + rank)
    losses, reports, step, start = [], [], 0, time.time()
    for epoch in range(epochs):
        order = torch.randperm(len(labels), generator=g)
        model.train()
        for b in range(steps_per_epoch):
            if step == total:
                break
            idx = order[b * args.batch:(b + 1) * args.batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(images[idx]), labels[idx])
            loss.backward()
            opt.step()
            schedule.step()
            losses.append(loss.item())
            step += 1
            if step % args.log_every == 0 or step == total:
                mean = dt.allreduce(torch.tensor([sum(losses) / len(losses)],
                                                 dtype=torch.float64)).item()
                losses = []
                reports.append(mean)
                if rank == 0:
                    print("step %d/%d  epoch %.2f  loss %.4f  %.0f s" % (
                        step, total, step / steps_per_epoch, mean, time.time() - start),
                        flush=True)
        accuracy = evaluate(model, test_images, test_labels)
        if rank == 0:
            print("epoch %d: test accuracy of the node-averaged model %.2f%%"
                  % (epoch + 1, 100 * accuracy), flush=True)
    if rank == 0 and args.json:
        print(json.dumps({"algorithm": args.algorithm, "awc": args.awc, "nodes": nodes,
                          "seed": args.seed, "steps": total, "test_accuracy": accuracy,
                          "first_loss": reports[0], "last_loss": reports[-1],
                          "seconds": time.time() - start}), flush=True)
    opt.close()
    return len(reports) >= 2 and reports[-1] < 0.75 * reports[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--algorithm", default="dsgd", choices=dt.ALGORITHMS)
    parser.add_argument("--awc", action="store_true", help="adapt-with-combine (overlapped)")
    parser.add_argument("--topology", default="one-peer-exp")
    parser.add_argument("--nodes", type=int, default=0,
                        help="in-process nodes instead of MPI ranks (0: this MPI rank is one)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--max-steps", type=int, default=0, help="0: all steps of the epochs")
    parser.add_argument("--batch", type=int, default=32, help="per node")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-every", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="PyTorch threads per node")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of results")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.nodes > 0:
        fell = dt.run_local(args.nodes, train, args, topology=args.topology)[0]
    else:
        dt.init(topology=args.topology)
        fell = train(args)
        dt.shutdown()
    return 0 if fell else 1


if __name__ == "__main__":
    sys.exit(main())
