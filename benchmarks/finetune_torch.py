"""PyTorch baseline for FineTuneBenchmark: one fine-tuning epoch of the same layers on the same threads.

--case demo (the default):
The demo's fine-tune job trains the base's last conv block (Conv 64->128 3x3 pad 1, ReLU, MaxPool 2) and the
seed's new head (Flatten 1152, Dense 1024 ReLU, Dense 2 softmax) on 64x7x7 boundary activations, SGD with Nesterov
momentum 0.9 (1e-4 for the conv, 1e-3 for the head), batch 64, cross-entropy. Run by hand with Debian's python3
(python3-torch); FineTuneBenchmark calls it and prints the ratio:
    /usr/bin/python3 benchmarks/finetune_torch.py --threads 2 --samples 2700 --rounds 3
Prints one line: "torch samples/s <median> threads <n>".
--interleave: after the warm-up epoch prints "ready", then runs one timed training step (the next batch of a
shuffled epoch) per line read on stdin and prints "torch step seconds <s> samples <n>" after each, until stdin
closes. FineTuneBenchmark uses it to alternate DL4J and PyTorch steps, so that both see the same machine (its
GEMM speed was seen to swing 3-4x within minutes).

--case vit: torchvision's vit_b_16 (seeded random weights, as benchmarks/recipes/make_vit_case.py exports it), its
last two encoder blocks, final LayerNorm and a new Linear(768, 2) on the class token, on [N, 197, 768] boundary
activations (the input of block 10), Adam 1e-4 for the blocks and 1e-3 for the head, batch 32, cross-entropy:
    /usr/bin/python3 benchmarks/finetune_torch.py --case vit --threads 2 --samples 256 --rounds 3 --batch 32
"""
import argparse
import statistics
import sys
import time

import torch
import torch.nn as nn


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--samples", type=int, default=2700)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--case", choices=["demo", "vit"], default="demo")
    p.add_argument("--interleave", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    model, opt, x = vit(a) if a.case == "vit" else demo(a)
    loss_fn = nn.CrossEntropyLoss()
    y = torch.randint(0, 2, (a.samples,))

    def batches():
        order = torch.randperm(a.samples)
        for i in range(0, a.samples, a.batch):
            idx = order[i:i + a.batch]
            yield x[idx], y[idx]

    def step(xb, yb):
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()

    def epoch():
        for xb, yb in batches():
            step(xb, yb)

    model.train()
    epoch()  # warm-up
    if a.interleave:
        print("ready", flush=True)
        pending = iter(())
        for _ in sys.stdin:
            xb, yb = next(pending, (None, None))
            if xb is None:
                pending = batches()
                xb, yb = next(pending)
            t0 = time.perf_counter()
            step(xb, yb)
            print("torch step seconds %.6f samples %d" % (time.perf_counter() - t0, len(yb)), flush=True)
        return
    rates = []
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        epoch()
        rates.append(a.samples / (time.perf_counter() - t0))
    print("torch samples/s %.1f threads %d" % (statistics.median(rates), torch.get_num_threads()))


class ClassToken(nn.Module):
    def forward(self, x):
        return x[:, 0]


def vit(a):
    import torchvision
    base = torchvision.models.vit_b_16()
    blocks = nn.Sequential(*list(base.encoder.layers)[10:12], base.encoder.ln)
    head = nn.Linear(768, 2)
    model = nn.Sequential(blocks, ClassToken(), head)
    opt = torch.optim.Adam([{"params": blocks.parameters(), "lr": 1e-4}, {"params": head.parameters(), "lr": 1e-3}])
    return model, opt, torch.randn(a.samples, 197, 768)


def demo(a):
    block = nn.Sequential(nn.Conv2d(64, 128, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2))
    head = nn.Sequential(nn.Flatten(), nn.Linear(1152, 1024), nn.ReLU(), nn.Linear(1024, 2))
    model = nn.Sequential(block, head)
    opt = torch.optim.SGD([{"params": block.parameters(), "lr": 1e-4},
                           {"params": head.parameters(), "lr": 1e-3}], momentum=0.9, nesterov=True)
    return model, opt, torch.relu(torch.randn(a.samples, 64, 7, 7))


if __name__ == "__main__":
    main()
