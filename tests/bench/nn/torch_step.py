#!/usr/bin/python3
"""PyTorch baseline of `decent bench step`: the same architecture, batch, input and thread count;
one training step = forward, cross-entropy, backward, SGD update. Prints one JSON line with
images_per_second and peak_rss_bytes, the fields decent prints.

Architectures mirror cpp/nn/builders.cpp: CIFAR ResNets (depth 6n+2, 16/32/64 channels, 1x1
projection shortcuts with batch norm), ImageNet ResNet18/34 with the small-image 3x3 stem for
images up to 64x64.
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return torch.relu(self.main(x) + (x if self.short is None else self.short(x)))


def resnet(stages, width, channels, classes, h):
    layers = []
    if h <= 64:
        layers += [nn.Conv2d(channels, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
    else:
        layers += [nn.Conv2d(channels, width, 7, 2, 3, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True),
                   nn.MaxPool2d(3, 2, 1)]
    cin = width
    for s, blocks in enumerate(stages):
        cout = width << s
        for b in range(blocks):
            layers.append(Basic(cin, cout, 2 if s > 0 and b == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


def build(name, c, h, classes):
    if name == "resnet18":
        return resnet([2, 2, 2, 2], 64, c, classes, h)
    if name == "resnet34":
        return resnet([3, 4, 6, 3], 64, c, classes, h)
    depth = int(name[len("resnet"):])
    n = (depth - 2) // 6
    return resnet([n, n, n], 16, c, classes, 0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="resnet20")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--input", default="3x32x32")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    c, h, w = (int(v) for v in a.input.split("x"))
    model = build(a.model, c, h, a.classes)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.rand(a.batch, c, h, w) * 2 - 1
    y = torch.randint(0, a.classes, (a.batch,))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(json.dumps({
        "engine": "pytorch " + torch.__version__,
        "model": a.model, "input": a.input, "batch": a.batch, "threads": torch.get_num_threads(),
        "parameters": sum(t.numel() for t in model.parameters()),
        "steps": a.steps, "median_step_seconds": sorted(times)[len(times) // 2],
        "images_per_second": a.batch * a.steps / sum(times),
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main()
