"""Makes the small ONNX models the translator tests use (src/test/resources/models/*.onnx).

Run by hand with Debian's python3 (python3-torch, python3-onnx), never by CI:
    /usr/bin/python3 src/test/resources/models/make_test_models.py
Weights are random (seeded) and BatchNormalization statistics are randomised so that every layer matters. The
models are exported in eval mode with BatchNormalization kept as its own node (TrainingMode.PRESERVE), opset 13,
and two of them also at opsets 11 and 17.
"""
import os

import torch
import torch.nn as nn

OUT = os.path.dirname(os.path.abspath(__file__))


def conv_bn(cin, cout, k=3, s=1, groups=1, act=nn.ReLU):
    layers = [nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv_bn(cin, cout, 3, stride)
        self.conv2 = conv_bn(cout, cout, 3, 1, act=None)
        self.down = None if stride == 1 and cin == cout else conv_bn(cin, cout, 1, stride, act=None)
        self.relu = nn.ReLU()

    def forward(self, x):
        identity = x if self.down is None else self.down(x)
        return self.relu(self.conv2(self.conv1(x)) + identity)


class TinyResNet(nn.Module):
    """ResNet-style: stem, max pool, basic blocks with residual adds (one with a strided 1x1 shortcut)."""

    def __init__(self, classes=10):
        super().__init__()
        self.stem = conv_bn(3, 16, 3, 1)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = BasicBlock(16, 16, 1)
        self.layer2 = BasicBlock(16, 32, 2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.pool(self.stem(x))))
        return self.fc(torch.flatten(self.gap(x), 1))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.use_res = stride == 1 and cin == cout
        self.block = nn.Sequential(conv_bn(cin, hidden, 1, act=nn.ReLU6),
                                   conv_bn(hidden, hidden, 3, stride, groups=hidden, act=nn.ReLU6),
                                   conv_bn(hidden, cout, 1, act=None))

    def forward(self, x):
        return x + self.block(x) if self.use_res else self.block(x)


class TinyMobileNetV2(nn.Module):
    """MobileNetV2-style: depthwise convs, ReLU6, linear bottlenecks, inverted residuals, dropout, linear head."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(conv_bn(3, 16, 3, 2, act=nn.ReLU6), InvertedResidual(16, 16, 1, 1),
                                      InvertedResidual(16, 24, 2, 4), InvertedResidual(24, 24, 1, 4),
                                      conv_bn(24, 64, 1, act=nn.ReLU6))
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, classes))

    def forward(self, x):
        x = nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(x, 1))


class TinyMixed(nn.Module):
    """The remaining operators: LeakyRelu, Tanh, average pooling, Concat of two branches, Mul of two tensors
    (x * sigmoid(x)), Reshape with a constant shape, MatMul plus bias, Softmax."""

    def __init__(self, classes=4):
        super().__init__()
        self.a = nn.Conv2d(1, 8, 3, 1, 1)
        self.b = nn.Conv2d(1, 8, 5, 1, 2)
        self.pool = nn.AvgPool2d(2, count_include_pad=False)
        self.conv = nn.Conv2d(16, 16, 3, 2, 1)
        self.w = nn.Parameter(torch.randn(16 * 4 * 4, 32) * 0.05)
        self.bias = nn.Parameter(torch.randn(32) * 0.1)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = torch.cat([nn.functional.leaky_relu(self.a(x), 0.1), torch.tanh(self.b(x))], 1)
        x = self.conv(self.pool(x))
        x = x * torch.sigmoid(x)
        x = x.reshape(-1, 16 * 4 * 4)
        x = torch.relu(x @ self.w + self.bias)
        return torch.softmax(self.fc(x), 1)


def randomise_bn(model):
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g) * 0.1)


def export(model, shape, name, opset=13):
    model.eval()
    torch.onnx.export(model, torch.zeros(*shape), os.path.join(OUT, name), input_names=["input"],
                      output_names=["output"], opset_version=opset, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False, dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    print(name, os.path.getsize(os.path.join(OUT, name)), "bytes")


if __name__ == "__main__":
    torch.manual_seed(7)
    with torch.no_grad():
        for model, shape, name in [(TinyResNet(), (1, 3, 32, 32), "resnet_tiny.onnx"),
                                   (TinyMobileNetV2(), (1, 3, 32, 32), "mobilenetv2_tiny.onnx"),
                                   (TinyMixed(), (1, 1, 16, 16), "mixed_tiny.onnx")]:
            randomise_bn(model)
            export(model, shape, name)
        # The same networks at the ends of the opset range PyTorch exports (Clip's bounds are inputs from 11 on).
        for model, shape, name, opset in [(TinyMobileNetV2(), (1, 3, 32, 32), "mobilenetv2_tiny_opset11.onnx", 11),
                                          (TinyResNet(), (1, 3, 32, 32), "resnet_tiny_opset17.onnx", 17)]:
            randomise_bn(model)
            export(model, shape, name, opset)
