"""PyTorch's resnet50 training step on one GPU, the baseline of `decent bench step --device
cuda` (BENCHMARKS.md): batch 256 of 3x224x224, channels_last, SGD with momentum, fp32 with TF32
convolutions and matmuls, then bf16 autocast. Prints one JSON line per precision: images per
second over the timed steps and the peak device memory. Needs torch and torchvision.

    python3 tests/gpu/torch_resnet50_baseline.py [--batch 256] [--steps 30] [--warmup 10]
"""
import argparse
import json
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=10)
    a = p.parse_args()
    import torch
    try:
        import torchvision
    except ImportError:
        print(json.dumps({"error": "torchvision is not installed"}))
        return 2
    if not torch.cuda.is_available():
        print(json.dumps({"error": "no CUDA device"}))
        return 2
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    dev = torch.device("cuda")
    for precision in ("fp32", "bf16"):
        torch.manual_seed(1)
        model = torchvision.models.resnet50(num_classes=1000).to(dev).to(
            memory_format=torch.channels_last)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-5)
        x = torch.randn(a.batch, 3, 224, 224, device=dev).to(memory_format=torch.channels_last)
        y = torch.randint(0, 1000, (a.batch,), device=dev)
        loss_fn = torch.nn.CrossEntropyLoss()
        torch.cuda.reset_peak_memory_stats()

        def step():
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=precision == "bf16"):
                loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss

        for _ in range(a.warmup):
            step()
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(a.steps):
            loss = step()
        torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        print(json.dumps({
            "framework": "pytorch " + torch.__version__, "model": "resnet50",
            "precision": precision, "batch": a.batch, "steps": a.steps,
            "images_per_second": a.batch * a.steps / seconds,
            "peak_memory_mib": torch.cuda.max_memory_allocated() / 2**20,
            "loss": float(loss)}), flush=True)
        del model, opt, x, y
        torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())
