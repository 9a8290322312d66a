"""Expected model inputs for TorchvisionPreprocessingTest, made by torchvision as a PyTorch user's pipeline makes them.

Run with Debian's python3 (python3-torchvision, python3-pil, python3-numpy):
    /usr/bin/python3 src/test/resources/images/make_preprocess_fixtures.py
Writes preprocess/<case>.<png|jpg> (seeded photo-like pictures of several sizes and aspect ratios) and
preprocess/<case>.npy: float32 [3, H, W], the result of
    Compose([Resize(resize), CenterCrop(crop), ToTensor(), Normalize(IMAGENET_MEAN, IMAGENET_STD)])
on the image as torchvision's ImageFolder loads it (PIL, converted to RGB), and preprocess/cases.json naming the
transform of each case (resize an int: the shorter side; a pair: stretched to [h, w]).
"""
import json
import os

import numpy as np
import torch
from PIL import Image
from torchvision import transforms as T

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "preprocess")
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def picture(w, h, seed):
    """Smooth shading, a few hard-edged shapes and a little noise: what photos are mostly made of."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(w, h)
    img = np.zeros((h, w, 3))
    for c in range(3):
        for _ in range(4):
            fx, fy, ph = rng.uniform(0.5, 6), rng.uniform(0.5, 6), rng.uniform(0, 6.3)
            img[..., c] += rng.uniform(20, 50) * np.sin(2 * np.pi * (fx * x + fy * y) + ph)
        img[..., c] += 128
    for _ in range(5):
        x0, y0 = rng.integers(0, w - 4), rng.integers(0, h - 4)
        img[y0:y0 + rng.integers(3, max(4, h // 3)), x0:x0 + rng.integers(3, max(4, w // 3))] = rng.uniform(0, 255, 3)
    img += rng.normal(0, 1.5, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


CASES = [
    # name, width, height, format, resize, crop ([h, w])
    ("landscape_up", 300, 200, "png", 256, [224, 224]),
    ("landscape_down", 500, 375, "png", 160, [144, 144]),
    ("portrait", 200, 333, "png", 128, [112, 112]),
    ("odd_offsets", 97, 61, "png", 64, [56, 56]),
    ("wide_crop", 640, 480, "png", 144, [128, 112]),
    ("stretched", 300, 200, "png", [120, 96], [120, 96]),
    ("photo_landscape", 500, 375, "jpg", 256, [224, 224]),
    ("photo_portrait", 333, 500, "jpg", 128, [112, 112]),
]


def main():
    os.makedirs(HERE, exist_ok=True)
    meta = {}
    for i, (name, w, h, fmt, resize, crop) in enumerate(CASES):
        path = os.path.join(HERE, name + "." + fmt)
        picture(w, h, 100 + i).save(path, "PNG" if fmt == "png" else "JPEG", quality=90)
        with open(path, "rb") as f:
            img = Image.open(f).convert("RGB")  # torchvision.datasets.folder.pil_loader
        t = T.Compose([T.Resize(resize), T.CenterCrop(crop), T.ToTensor(), T.Normalize(MEAN, STD)])
        x = t(img).numpy().astype(np.float32)
        np.save(os.path.join(HERE, name + ".npy"), x)
        meta[name] = {"file": name + "." + fmt, "resize": resize, "crop": crop, "lossy": fmt == "jpg"}
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump({"mean": MEAN, "std": STD, "cases": meta}, f, indent=1)


if __name__ == "__main__":
    main()
