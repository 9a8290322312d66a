#!/usr/bin/python3
"""Makes the realistic extraction-benchmark case under target/bench/ (never committed, never run by CI).

    apt-get install python3-torch python3-torchvision python3-pil
    /usr/bin/python3 benchmarks/recipes/make_mobilenet_case.py     # from the repository root

Writes target/bench/mobilenet_v2.onnx: torchvision's MobileNetV2 architecture with seeded random weights
(throughput does not depend on the weights; nothing is downloaded), input 1x3x224x224, exported with opset 13;
target/bench/rgb224/<class>/*.png: the demo's images upscaled to 224x224 RGB (2000 images); and
target/bench/photo500/<class>/*.jpg: the same images as stand-ins for photos, 500x375 RGB (a typical photo data set's
size), tinted and with sensor-like noise so the JPEG (quality 90, as PIL saves) is as dense as a photo's (about 55 kB),
for the case where the pipeline decodes JPEGs and resizes them ("resize": "stretch").
"""
import os, sys
import numpy as np
import torch, torchvision
from PIL import Image

OUT = os.path.join("target", "bench")
SRC = os.path.join("demo", "tshirt-vs-shirt", "data", "train")
PER_CLASS = int(os.environ.get("TP_BENCH_PER_CLASS", "1000"))

def main():
    torch.manual_seed(7)
    os.makedirs(OUT, exist_ok=True)
    model = torchvision.models.mobilenet_v2(num_classes=1000).eval()
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), os.path.join(OUT, "mobilenet_v2.onnx"),
                      input_names=["input"], output_names=["logits"], opset_version=13,
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    for cls in sorted(os.listdir(SRC)):
        dst = os.path.join(OUT, "rgb224", cls)
        os.makedirs(dst, exist_ok=True)
        for name in sorted(os.listdir(os.path.join(SRC, cls)))[:PER_CLASS]:
            Image.open(os.path.join(SRC, cls, name)).convert("RGB").resize((224, 224), Image.BILINEAR) \
                .save(os.path.join(dst, name))
    noise = np.random.default_rng(7)
    for cls in sorted(os.listdir(SRC)):
        dst = os.path.join(OUT, "photo500", cls)
        os.makedirs(dst, exist_ok=True)
        for name in sorted(os.listdir(os.path.join(SRC, cls)))[:PER_CLASS]:
            grey = np.asarray(Image.open(os.path.join(SRC, cls, name)).convert("L").resize((500, 375), Image.BILINEAR),
                              dtype=np.float32)
            rgb = np.stack([grey * 0.9 + 20, grey * 0.7 + 40, grey * 0.5 + 60], -1) + noise.normal(0, 8, grey.shape + (3,))
            Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(
                os.path.join(dst, os.path.splitext(name)[0] + ".jpg"), quality=90)
    print("wrote", os.path.abspath(OUT))

if __name__ == "__main__":
    sys.exit(main())
