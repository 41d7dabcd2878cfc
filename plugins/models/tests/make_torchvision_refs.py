#!/usr/bin/env python3
"""Writes torchvision's networks as references for test_torchvision.cpp: each one built by torchvision
(or, for the CIFAR ResNets, from torchvision's BasicBlock), with random batch-norm statistics, in eval
mode, and what it computes on a random input.

Usage: make_torchvision_refs.py OUT_DIR   (Debian's /usr/bin/python3: python3-torch, python3-torchvision)

Writes into OUT_DIR:
  NAME.pth     torch.save(model.state_dict()), as a PyTorch user has it
  layouts.txt  one line per state_dict entry: "NAME KEY SHAPE" (SHAPE "2x3x3x3", "scalar" for 0-d)
  io.pt        a TorchScript module whose buffers NAME_input and NAME_output are the input and the
               eval output (C++ reads them with torch::jit::load(...).attr(...))
"""
import sys

import torch
from torch import nn
import torchvision
from torchvision.models.resnet import BasicBlock, conv1x1


class CifarResNet(nn.Module):
    """He et al.'s CIFAR ResNet (6n + 2 layers) out of torchvision's BasicBlock, torchvision's names."""

    def __init__(self, n, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        channels = 16
        for index, (planes, stride) in enumerate([(16, 1), (32, 2), (64, 2)]):
            blocks = []
            for b in range(n):
                s = stride if b == 0 else 1
                shortcut = None
                if s != 1 or channels != planes:
                    shortcut = nn.Sequential(conv1x1(channels, planes, s), nn.BatchNorm2d(planes))
                blocks.append(BasicBlock(channels, planes, s, shortcut))
                channels = planes
            setattr(self, f"layer{index + 1}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def grey_resnet34():
    """resnet34 for one-channel images: only conv1's input changes (razor's in_channels = 1)."""
    model = torchvision.models.resnet34(num_classes=10)
    model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    return model


IMAGENET = (1, 3, 64, 64)
# NAME -> (constructor, eval input shape); test_torchvision.cpp builds the same with razor's options.
MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(num_classes=10), IMAGENET),
    "resnet34": (grey_resnet34, (1, 1, 64, 64)),
    "resnet50": (lambda: torchvision.models.resnet50(num_classes=10), IMAGENET),
    "cifar_resnet20": (lambda: CifarResNet(3), (2, 3, 32, 32)),
    "cifar_resnet56": (lambda: CifarResNet(9, num_classes=100), (2, 3, 32, 32)),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(num_classes=10, width_mult=0.75), IMAGENET),
    "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(num_classes=10, width_mult=0.75), IMAGENET),
    "mobilenet_v3_large": (lambda: torchvision.models.mobilenet_v3_large(num_classes=10), IMAGENET),
    "shufflenet_v2_x0_5": (lambda: torchvision.models.shufflenet_v2_x0_5(num_classes=10), IMAGENET),
    "shufflenet_v2_x1_0": (lambda: torchvision.models.shufflenet_v2_x1_0(num_classes=10), IMAGENET),
    "vgg11_bn": (lambda: torchvision.models.vgg11_bn(num_classes=10), IMAGENET),
    "vgg16_bn": (lambda: torchvision.models.vgg16_bn(num_classes=10), IMAGENET),
}


def randomise_batch_norms(model, shape):
    """Random affine parameters, and running statistics that are the statistics of two random
    batches (momentum None: a plain average), so eval activations stay of order one."""
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    momenta = [m.momentum for m in norms]
    with torch.no_grad():
        for m in norms:
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.2, 0.2)
            m.reset_running_stats()
            m.momentum = None
        model.train()
        for _ in range(2):
            model(torch.randn(2, *shape[1:]))
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    model.eval()


class Holder(nn.Module):
    def __init__(self, tensors):
        super().__init__()
        for name, tensor in tensors.items():
            self.register_buffer(name, tensor)


def main(out_dir):
    torch.manual_seed(0)
    tensors = {}
    with open(f"{out_dir}/layouts.txt", "w") as layouts:
        for name, (make, shape) in MODELS.items():
            model = make()
            randomise_batch_norms(model, shape)
            x = torch.randn(*shape)
            with torch.no_grad():
                tensors[f"{name}_input"] = x
                tensors[f"{name}_output"] = model(x)
            state = model.state_dict()
            torch.save(state, f"{out_dir}/{name}.pth")
            for key, tensor in state.items():
                size = "x".join(str(d) for d in tensor.shape) or "scalar"
                layouts.write(f"{name} {key} {size}\n")
    torch.jit.save(torch.jit.script(Holder(tensors)), f"{out_dir}/io.pt")


if __name__ == "__main__":
    main(sys.argv[1])
