"""Exports the real torchvision architectures (random weights: nothing is downloaded) and writes one fine-tune job
per model for scripts/torchvision/run-matrix.sh. Needs Debian's python3 with python3-torch, python3-torchvision,
python3-onnx and python3-pil.

    /usr/bin/python3 scripts/torchvision/make_jobs.py WORK_DIR DEMO_DIR

Each network is exported twice, as users export it: at opset 13 with a dynamic batch and a named input, and at
opset 17 with torch.onnx.export's defaults only (a fixed batch of 1, generated names). The job freezes everything
before the network's last stage (ViT: its last two encoder blocks) and attaches a new head at the global-pool
flatten (the transformer families, ConvNeXt and ShuffleNet: at the classifier's input). The images are the demo's
T-shirt/shirt PNGs turned into colour images.
"""
import glob
import json
import os
import sys

import onnx
import torch
import torchvision
from PIL import Image

# Family -> the name prefix of the nodes of its last stage (the freeze boundary is that stage's input).
LAST_STAGE = {
    "resnet18": "/layer4/", "resnet50": "/layer4/", "mobilenet_v2": "/features/features.14/",
    "mobilenet_v3_small": "/features/features.9/", "efficientnet_b0": "/features/features.7/",
    "densenet121": "/features/denseblock4/", "squeezenet1_1": "/features/features.12/",
    "regnet_x_400mf": "/trunk_output/block4/",
    # issue 24's families: the last encoder block(s) or stage, a new head at the classifier's input
    "vit_b_16": "/encoder/layers/encoder_layer_10/", "swin_t": "/features/features.7/",
    "convnext_tiny": "/features/features.7/", "shufflenet_v2_x1_0": "/stage4/",
}
# Families whose new head attaches at the input of their classifier (the last Gemm or MatMul): the class token of
# ViT, the pooled vector of the others.
AT_CLASSIFIER = {"vit_b_16", "swin_t", "convnext_tiny", "shufflenet_v2_x1_0"}


def export(work):
    models = []
    torch.manual_seed(0)
    only = [f for f in os.environ.get("TP_FAMILIES", "").split(",") if f]
    for family in LAST_STAGE:
        if only and family not in only:
            continue
        net = getattr(torchvision.models, family)(weights=None).eval()
        for opset in (13, 17):
            name = f"{family}_opset{opset}"
            path = os.path.join(work, "models", name + ".onnx")
            if not os.path.exists(path):
                x = torch.zeros(1, 3, 224, 224)
                if opset == 13:
                    torch.onnx.export(net, x, path, opset_version=13, input_names=["input"],
                                      output_names=["output"],
                                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
                else:
                    torch.onnx.export(net, x, path, opset_version=17)
            g = onnx.load(path, load_external_data=False).graph
            first = next(n for n in g.node if n.name.startswith(LAST_STAGE[family]))
            if family in AT_CLASSIFIER:
                cut = [n.input[0] for n in g.node if n.op_type in ("Gemm", "MatMul")][-1]
            else:
                cut = [n.output[0] for n in g.node if n.op_type == "Flatten"][-1]
            models.append((name, family, opset, first.input[0], cut))
    return models


def images(work, demo, per_class_train, per_class_test):
    for split, n in (("train", per_class_train), ("test", per_class_test)):
        for cls in ("shirt", "tshirt"):
            out = os.path.join(work, "data", split, cls)
            os.makedirs(out, exist_ok=True)
            for f in sorted(glob.glob(os.path.join(demo, "data", split, cls, "*.png")))[:n]:
                grey = Image.open(f).convert("L")
                Image.merge("RGB", (grey, grey.point(lambda v: v * 3 // 4),
                                    grey.point(lambda v: (255 - v) // 2))).save(os.path.join(out, os.path.basename(f)))


def job(name, freeze_at, cut):
    return {"jobId": name, "strategy": "fine-tune",
            "baseModel": {"uri": f"models/{name}.onnx", "freezeAt": freeze_at, "cut": cut},
            "data": {"train": {"uri": "data/train"}, "test": {"uri": "data/test"}, "validationSplit": 0.2},
            "preprocess": {"width": 224, "height": 224, "channels": 3, "resize": "stretch",
                           "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
            "head": {"hidden": [64]},
            "training": {"optimizer": {"type": "adam", "learningRate": 0.001}, "epochs": 1, "batchSize": 8,
                         "seed": 7},
            "fineTune": {"baseLearningRate": 0.0001}}


if __name__ == "__main__":
    work, demo = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(work, "models"), exist_ok=True)
    images(work, demo, 20, 10)
    for name, family, opset, freeze_at, cut in export(work):
        # Beside models/ and data/: `run` resolves a job's paths against the job file's folder.
        with open(os.path.join(work, "job-" + name + ".json"), "w") as f:
            json.dump(job(name, freeze_at, cut), f, indent=1)
        print(name, freeze_at, cut, flush=True)
