"""Makes the conformance matrix's models (src/test/resources/models/families/): one small model per torchvision
family that fine-tuning must handle, built from torchvision's own classes and blocks with few channels, so that
torch.onnx.export writes the same patterns it writes for the full-size networks (constant folding with BatchNorm
fused into Conv, de-duplicated initializers behind Identity nodes, HardSigmoid/HardSwish, squeeze-and-excitation
gates, grouped convolutions, Pad in front of pooling, ceil-mode max pooling).

Run by hand with Debian's python3 (python3-torch, python3-torchvision, python3-onnx), never by CI:
    /usr/bin/python3 src/test/resources/models/make_family_models.py
Weights are random (seeded) and BatchNorm statistics randomised so that every layer matters. Each model is exported
twice, as users export: at opset 13 with a dynamic batch and named input, and at opset 17 with torch.onnx.export's
defaults only (a fixed batch of 1, generated names). families.json lists each file with its input, a freeze
boundary at the input of the last stage, and the global-pool flatten where a new head attaches.
"""
import json
import os

import onnx
import torch
import torch.nn as nn
from torchvision.models import DenseNet, MobileNetV2, ResNet, SqueezeNet
from torchvision.models.efficientnet import EfficientNet, MBConvConfig
from torchvision.models.mobilenetv3 import InvertedResidualConfig, MobileNetV3
from torchvision.models.regnet import BlockParams, RegNet
from torchvision.models.resnet import BasicBlock, Bottleneck
from torchvision.models.squeezenet import Fire
from torchvision.models.convnext import CNBlockConfig, ConvNeXt
from torchvision.models.shufflenetv2 import ShuffleNetV2
from torchvision.models.swin_transformer import SwinTransformer
from torchvision.models.vision_transformer import VisionTransformer

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "families")
SIZE = 64
CLASSES = 10


def small_resnet(block):
    """torchvision's ResNet (its forward, its _make_layer) with 1 block per stage and 8-32 channels."""
    m = ResNet(block, [1, 1, 1, 1], num_classes=CLASSES)
    m.inplanes = 8
    m.conv1 = nn.Conv2d(3, 8, kernel_size=7, stride=2, padding=3, bias=False)
    m.bn1 = nn.BatchNorm2d(8)
    m.layer1 = m._make_layer(block, 8, 1)
    m.layer2 = m._make_layer(block, 12, 1, stride=2)
    m.layer3 = m._make_layer(block, 16, 1, stride=2)
    m.layer4 = m._make_layer(block, 24, 2, stride=2)
    m.fc = nn.Linear(24 * block.expansion, CLASSES)
    return m


def small_squeezenet():
    """torchvision's SqueezeNet 1.1 layout (ceil-mode max pools, Fire modules) with few channels."""
    m = SqueezeNet("1_1", num_classes=CLASSES)
    m.features = nn.Sequential(
        nn.Conv2d(3, 16, kernel_size=3, stride=2), nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(16, 4, 8, 8), Fire(16, 4, 8, 8),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(16, 6, 12, 12), Fire(24, 6, 12, 12),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(24, 8, 16, 16), Fire(32, 8, 16, 16))
    m.classifier[1] = nn.Conv2d(32, CLASSES, kernel_size=1)
    for conv in m.modules():  # SqueezeNet's own initialisation: zero biases
        if isinstance(conv, nn.Conv2d):
            nn.init.kaiming_uniform_(conv.weight)
            nn.init.constant_(conv.bias, 0)
    return m


class ViewFlattenNet(nn.Module):
    """Not a torchvision family: a VGG-style network whose forward flattens with x.view(x.size(0), -1), as much
    hand-written code does. Exported with a dynamic batch that is Shape, Gather, Unsqueeze, Concat and Reshape;
    with the defaults, a Reshape to the constant [1, -1]."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
                                      nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(inplace=True),
                                      nn.MaxPool2d(4), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(inplace=True),
                                      nn.MaxPool2d(8))
        self.classifier = nn.Sequential(nn.Linear(16, 32), nn.ReLU(inplace=True), nn.Dropout(), nn.Linear(32, CLASSES))

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)


FAMILIES = {
    "resnet18": (lambda: small_resnet(BasicBlock), "/layer4/"),
    "resnet50": (lambda: small_resnet(Bottleneck), "/layer4/"),
    "mobilenet_v2": (lambda: MobileNetV2(num_classes=CLASSES, inverted_residual_setting=[
        [1, 8, 1, 1], [6, 12, 2, 2], [6, 16, 2, 2], [6, 24, 2, 2]]), "/features/features.6/"),
    "mobilenet_v3_small": (lambda: MobileNetV3([
        InvertedResidualConfig(16, 3, 16, 16, True, "RE", 2, 1, 1.0),
        InvertedResidualConfig(16, 3, 32, 24, False, "RE", 2, 1, 1.0),
        InvertedResidualConfig(24, 5, 48, 24, True, "HS", 1, 1, 1.0),
        InvertedResidualConfig(24, 5, 64, 32, True, "HS", 2, 1, 1.0),
        InvertedResidualConfig(32, 5, 64, 32, True, "HS", 1, 1, 1.0)], last_channel=64, num_classes=CLASSES),
        "/features/features.4/"),
    "efficientnet_b0": (lambda: EfficientNet([
        MBConvConfig(1, 3, 1, 16, 8, 1), MBConvConfig(6, 3, 2, 8, 16, 2), MBConvConfig(6, 5, 2, 16, 24, 1),
        MBConvConfig(6, 3, 2, 24, 32, 2)], dropout=0.2, num_classes=CLASSES), "/features/features.4/"),
    "densenet121": (lambda: DenseNet(growth_rate=4, block_config=(2, 2, 2, 2), num_init_features=8, bn_size=2,
                                     num_classes=CLASSES), "/features/denseblock4/"),
    "squeezenet1_1": (small_squeezenet, "/features/features.10/"),
    "regnet_x_400mf": (lambda: RegNet(BlockParams.from_init_params(depth=6, w_0=8, w_a=4.0, w_m=2.0, group_width=4),
                                      num_classes=CLASSES, stem_width=8),
                       lambda m: f"/trunk_output/block{len(m.trunk_output)}/"),
    "view_flatten": (ViewFlattenNet, "/features/features.7/"),
    # The families of issue 24: attention, LayerNorm, NHWC blocks, channel split and shuffle. Their new head
    # attaches at the classifier's input (the class token of ViT, the pooled vector of the others).
    "vit_b_16": (lambda: VisionTransformer(image_size=SIZE, patch_size=16, num_layers=3, num_heads=2, hidden_dim=16,
                                           mlp_dim=32, num_classes=CLASSES), "/encoder/layers/encoder_layer_2/"),
    "swin_t": (lambda: SwinTransformer(patch_size=[4, 4], embed_dim=8, depths=[2, 2, 2], num_heads=[1, 2, 2],
                                       window_size=[4, 4], stochastic_depth_prob=0.1, num_classes=CLASSES),
               "/features/features.5/"),
    "convnext_tiny": (lambda: ConvNeXt([CNBlockConfig(8, 16, 1), CNBlockConfig(16, 24, 1), CNBlockConfig(24, None, 2)],
                                       stochastic_depth_prob=0.1, layer_scale=0.5, num_classes=CLASSES),
                      "/features/features.5/"),
    "shufflenet_v2_x1_0": (lambda: ShuffleNetV2([2, 2, 2], [8, 16, 24, 32, 64], num_classes=CLASSES), "/stage4/"),
}
# Families whose new head attaches at the input of their classifier (the last Gemm), not at the last flatten.
AT_CLASSIFIER = {"vit_b_16", "swin_t", "swin_t_unfolded", "convnext_tiny", "shufflenet_v2_x1_0"}


def randomise_norms(model, seed):
    """LayerNorm scales and shifts, and ViT's class token and positional embedding (zeros in torchvision's
    initialisation), get random values so that each of them matters in the checks."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.LayerNorm):
            m.weight.data.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
    if isinstance(model, VisionTransformer):
        model.class_token.data.copy_(torch.randn(model.class_token.shape, generator=g) * 0.5)
        model.encoder.pos_embedding.data.copy_(torch.randn(model.encoder.pos_embedding.shape, generator=g) * 0.5)


def randomise_bn(model, seed):
    """Every other BatchNorm gets random statistics; the rest keep their initial ones (scale 1, shift 0, as in an
    untrained torchvision model), whose equal folded biases the exporter de-duplicates behind Identity nodes."""
    g = torch.Generator().manual_seed(seed)
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in norms[::2]:
        m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
        m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
        m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)
        m.bias.data.copy_(torch.randn(m.num_features, generator=g) * 0.1)


def describe(path, family, opset, last_stage):
    g = onnx.load(path).graph
    initializers = {t.name for t in g.initializer}
    inputs = [i.name for i in g.input if i.name not in initializers]
    first = next(n for n in g.node if n.name.startswith(last_stage))
    if family in AT_CLASSIFIER:
        flatten = [n.input[0] for n in g.node if n.op_type in ("Gemm", "MatMul")][-1]
    else:
        flatten = [n.output[0] for n in g.node if n.op_type in ("Flatten", "Reshape")][-1]
    return {"file": os.path.basename(path), "family": family, "opset": opset, "input": inputs[0],
            "freezeAt": first.input[0], "cut": flatten, "size": SIZE}


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    manifest = []
    x = torch.zeros(1, 3, SIZE, SIZE)
    for i, (family, (make, last_stage)) in enumerate(FAMILIES.items()):
        torch.manual_seed(100 + i)
        model = make().eval()
        stage = last_stage(model) if callable(last_stage) else last_stage
        with torch.no_grad():
            randomise_bn(model, 200 + i)
            randomise_norms(model, 300 + i)
        for opset in (13, 17):
            path = os.path.join(OUT, f"{family}_opset{opset}.onnx")
            if opset == 13:
                torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["output"],
                                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
            else:
                torch.onnx.export(model, x, path, opset_version=17)
            manifest.append(describe(path, family, opset, stage))
            print(path, os.path.getsize(path), "bytes")
        if family == "swin_t":
            # Without constant folding the relative position bias is gathered from its table at run time.
            path = os.path.join(OUT, "swin_t_unfolded_opset13.onnx")
            torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["output"],
                              dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=False)
            manifest.append(describe(path, "swin_t_unfolded", 13, stage))
            print(path, os.path.getsize(path), "bytes")
    with open(os.path.join(OUT, "families.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    # The same models with their weights in external data, as onnx.save writes it for large models: one data file
    # beside the model, locations relative to the model's folder.
    os.makedirs(os.path.join(OUT, "external"), exist_ok=True)
    for name in ("resnet18_opset13", "mobilenet_v3_small_opset17"):
        model = onnx.load(os.path.join(OUT, name + ".onnx"))
        onnx.save_model(model, os.path.join(OUT, "external", name + ".onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=name + ".weights", size_threshold=1024)
        print("external", name, os.path.getsize(os.path.join(OUT, "external", name + ".onnx")), "bytes +",
              os.path.getsize(os.path.join(OUT, "external", name + ".weights")))
