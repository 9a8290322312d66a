#!/usr/bin/python3
"""Makes the ViT case of FineTuneBenchmark under target/bench/ (never committed, never run by CI).

    apt-get install python3-torch python3-torchvision python3-onnx
    /usr/bin/python3 benchmarks/recipes/make_vit_case.py     # from the repository root

Writes target/bench/vit_b_16.onnx: torchvision's vit_b_16 architecture with seeded random weights (speed does not
depend on the weights; nothing is downloaded), input Nx3x224x224, exported as users do (opset 13, dynamic batch,
torch.onnx.export's constant folding), and target/bench/vit_b_16.json: the freeze boundary (the input of encoder
block 10, so blocks 10 and 11 are fine-tuned) and the cut (the class token, the classifier's input).
"""
import json
import os
import sys

import onnx
import torch
import torchvision

OUT = os.path.join("target", "bench")


def main():
    torch.manual_seed(7)
    os.makedirs(OUT, exist_ok=True)
    model = torchvision.models.vit_b_16().eval()
    path = os.path.join(OUT, "vit_b_16.onnx")
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), path, input_names=["input"], output_names=["logits"],
                      opset_version=13, dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    g = onnx.load(path, load_external_data=False).graph
    first = next(n for n in g.node if n.name.startswith("/encoder/layers/encoder_layer_10/"))
    cut = [n.input[0] for n in g.node if n.op_type in ("Gemm", "MatMul")][-1]
    with open(os.path.join(OUT, "vit_b_16.json"), "w") as f:
        json.dump({"freezeAt": first.input[0], "cut": cut}, f)
    print("wrote", os.path.abspath(path), os.path.getsize(path), "bytes; freezeAt", first.input[0], "cut", cut)


if __name__ == "__main__":
    sys.exit(main())
