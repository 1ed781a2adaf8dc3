#!/usr/bin/python3
"""Trains a model on Fashion-MNIST with D-SGD over the one-peer exponential graph on 4
in-process nodes through the Python binding; prints progress and the test accuracy.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/train_fashion_mnist.py [MODEL [MAX_STEPS]]

Exit status 0 when the loss fell from the first report to the last."""
import sys

import decent


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else "resnet20"
    max_steps = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    losses = []

    def progress(p):
        if p["kind"] == "train":
            losses.append(p["loss"])
            print(f"step {p['step']}/{p['total_steps']}  epoch {p['epoch']:.2f}  "
                  f"loss {p['loss']:.4f}  {p['images_per_second']:.0f} images/s", flush=True)
        else:
            print(f"epoch {p['epoch']:.2f}: test accuracy {100 * p['test_accuracy']:.2f}%", flush=True)
        return False  # True would stop training

    options = decent.TrainOptions(model=model, data="fashion-mnist", nodes=4,
                                  topology="one-peer-exp", algorithm="dsgd", epochs=2,
                                  max_steps=max_steps, log_every=10)
    with decent.Trainer(options) as trainer:
        trainer.run(progress)
        accuracy, _ = trainer.evaluate()
    print(f"test accuracy of the node-averaged {model}: {100 * accuracy:.2f}%")
    return 0 if len(losses) >= 2 and losses[-1] < losses[0] else 1


if __name__ == "__main__":
    sys.exit(main())
