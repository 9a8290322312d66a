#!/usr/bin/python3
"""Makes the demo's shipped assets from Debian's dataset-fashion-mnist. Run by hand, never by CI.

    apt-get install dataset-fashion-mnist python3-torch python3-onnx python3-pil
    /usr/bin/python3 demo/recipe/make_demo.py              # from the repository root (about 20 min on 2 cores)
    /usr/bin/python3 demo/recipe/make_demo.py --data-only  # only the image subset, keeping models/base.onnx

Writes demo/tshirt-vs-shirt/models/base.onnx: a VGG-style CNN (conv/relu/pool blocks, flatten, dense)
trained on the 8 Fashion-MNIST classes other than T-shirt/top (0) and Shirt (6), and
demo/tshirt-vs-shirt/data/{train,test}/{shirt,tshirt}/*.png: a fixed, seeded subset of those two
held-out classes (1500 + 1500 train images from the training file, 500 + 500 test images from the
test file). Everything is seeded; the same torch version gives the same files.
"""
import gzip, os, random, shutil, struct, sys
import numpy as np
import torch
import torch.nn as nn
from PIL import Image

SRC = "/usr/share/datasets/fashion-mnist"
OUT = os.environ.get("TP_DEMO_OUT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tshirt-vs-shirt"))
HELD_OUT = {0: "tshirt", 6: "shirt"}
TRAIN_PER_CLASS = int(os.environ.get("TP_DEMO_TRAIN_PER_CLASS", "1500"))
TEST_PER_CLASS, SEED = 500, 7
EPOCHS = int(os.environ.get("TP_DEMO_EPOCHS", "8"))


def idx(name):
    with gzip.open(os.path.join(SRC, name), "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        dims = [struct.unpack(">I", f.read(4))[0] for _ in range(magic & 0xFF)]
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


class Base(nn.Module):
    """VGG-style: three conv blocks, flatten (1152 features), dense, classifier over 8 classes."""
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(nn.Linear(1152, 128), nn.ReLU(), nn.Linear(128, 8))

    def forward(self, x):
        return self.classifier(self.flatten(self.features(x)))


def train_base(x, y):
    torch.manual_seed(SEED)
    model, opt = Base(), None
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xs = torch.tensor(x, dtype=torch.float32).unsqueeze(1) / 255.0
    ys = torch.tensor(y, dtype=torch.long)
    for epoch in range(EPOCHS):
        perm = torch.randperm(len(xs))
        model.train()
        total, correct = 0.0, 0
        for i in range(0, len(xs), 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            out = model(xs[b])
            loss = nn.functional.cross_entropy(out, ys[b])
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
            correct += (out.argmax(1) == ys[b]).sum().item()
        print(f"base epoch {epoch + 1}: loss {total / len(xs):.4f} accuracy {correct / len(xs):.4f}", flush=True)
    return model.eval()


def main():
    torch.set_num_threads(os.cpu_count())
    xtr, ytr = idx("train-images-idx3-ubyte.gz"), idx("train-labels-idx1-ubyte.gz")
    xte, yte = idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz")
    if "--data-only" not in sys.argv:
        keep = np.array([l not in HELD_OUT for l in ytr])
        remap = {old: new for new, old in enumerate(sorted(set(range(10)) - set(HELD_OUT)))}
        model = train_base(xtr[keep], np.array([remap[l] for l in ytr[keep]]))
        os.makedirs(os.path.join(OUT, "models"), exist_ok=True)
        torch.onnx.export(model, torch.zeros(1, 1, 28, 28), os.path.join(OUT, "models", "base.onnx"),
                          input_names=["input"], output_names=["logits"], opset_version=13,
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    rng = random.Random(SEED)
    for split, (x, y, n) in {"train": (xtr, ytr, TRAIN_PER_CLASS), "test": (xte, yte, TEST_PER_CLASS)}.items():
        for label, name in HELD_OUT.items():
            folder = os.path.join(OUT, "data", split, name)
            if os.path.isdir(folder):
                shutil.rmtree(folder)
            os.makedirs(folder)
            chosen = sorted(rng.sample([i for i in range(len(y)) if y[i] == label], n))
            for i in chosen:
                Image.fromarray(x[i], mode="L").save(os.path.join(folder, f"{split}-{i:05d}.png"), optimize=True)
    print("wrote", os.path.abspath(OUT))


if __name__ == "__main__":
    sys.exit(main())
