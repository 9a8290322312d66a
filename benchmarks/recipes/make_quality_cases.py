#!/usr/bin/python3
"""The cases of QualityBenchmark (issue 25): two-class tasks from Fashion-MNIST pairs held out of their base.

    apt-get install dataset-fashion-mnist python3-torch python3-onnx
    /usr/bin/python3 benchmarks/recipes/make_quality_cases.py   # from the repository root, ~15 min on 2 cores

For each task (a pair of Fashion-MNIST classes), trains the demo's VGG-style base (demo/recipe/make_demo.py, same
architecture and recipe, seeded) on the other 8 classes for TP_QUALITY_EPOCHS epochs (default 2), exports it with
torch.onnx.export's defaults (opset 13 as the demo, dynamic batch), and writes IDX files (labels 0 and 1, the
pair's order): subsets.json's SUBSETS random subsets of SUBSET images each of the pair's 12000 training images
(subset k drawn with seed k), and the pair's 2000 test images. Output: target/quality/<task>/.
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "demo", "recipe"))
import make_demo  # noqa: E402  the demo's base and its training recipe

OUT = os.path.join(HERE, "..", "..", "target", "quality")
TASKS = {"tshirt-shirt": (0, 6), "pullover-coat": (2, 4), "sneaker-boot": (7, 9)}
SUBSETS, SUBSET = 10, 1000


def write_idx(path, array):
    with open(path, "wb") as f:
        f.write(struct.pack(">I", (0x08 << 8) | array.ndim))
        for d in array.shape:
            f.write(struct.pack(">I", d))
        f.write(array.astype(np.uint8).tobytes())


def main():
    torch.set_num_threads(os.cpu_count())
    make_demo.EPOCHS = int(os.environ.get("TP_QUALITY_EPOCHS", "2"))
    xtr, ytr = make_demo.idx("train-images-idx3-ubyte.gz"), make_demo.idx("train-labels-idx1-ubyte.gz")
    xte, yte = make_demo.idx("t10k-images-idx3-ubyte.gz"), make_demo.idx("t10k-labels-idx1-ubyte.gz")
    for task, pair in TASKS.items():
        out = os.path.join(OUT, task)
        os.makedirs(out, exist_ok=True)
        if not os.path.exists(os.path.join(out, "base.onnx")):
            keep = np.array([l not in pair for l in ytr])
            remap = {old: new for new, old in enumerate(sorted(set(range(10)) - set(pair)))}
            model = make_demo.train_base(xtr[keep], np.array([remap[l] for l in ytr[keep]]))
            torch.onnx.export(model, torch.zeros(1, 1, 28, 28), os.path.join(out, "base.onnx"),
                              input_names=["input"], output_names=["logits"], opset_version=13,
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        both = np.where(np.isin(ytr, pair))[0]
        for k in range(SUBSETS):
            chosen = np.sort(np.random.default_rng(k).choice(both, SUBSET, replace=False))
            write_idx(os.path.join(out, f"train-{k}-images.idx"), xtr[chosen])
            write_idx(os.path.join(out, f"train-{k}-labels.idx"), (ytr[chosen] == pair[1]).astype(np.uint8))
        test = np.where(np.isin(yte, pair))[0]
        write_idx(os.path.join(out, "test-images.idx"), xte[test])
        write_idx(os.path.join(out, "test-labels.idx"), (yte[test] == pair[1]).astype(np.uint8))
        print("wrote", os.path.abspath(out), flush=True)
    with open(os.path.join(OUT, "subsets.json"), "w") as f:
        json.dump({"tasks": {t: list(p) for t, p in TASKS.items()}, "subsets": SUBSETS, "subset": SUBSET}, f)


if __name__ == "__main__":
    sys.exit(main())
