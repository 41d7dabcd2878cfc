#!/usr/bin/env python3
"""PyTorch's own int8 quantization of razor's Fashion-MNIST ResNet, beside razor's int8 file.

Usage: quantize_pytorch.py FLOAT_MODEL_PT RAZOR_INT8_PT RAZOR_FP32_PT [--calibrate 1024] [--threads 2]

Rebuilds razor's zoo ResNet (stem 16, widths 16-32-64, one basic block per stage) as a torch.nn
module with razor's module names, loads the weights of razor's model.pt (torch.jit.load reads razor's
archives), quantizes it with PyTorch's FX graph mode and the onednn default qconfig (histogram
observers for activations, per-channel min-max for weights), calibrated on the same number of
training images, and prints one line per model: test top-1 on the 10,000 Fashion-MNIST test images
and the latency at batch 1 and 64 (median of 50 calls, `--threads` threads), all timed in this one
process, razor's files included. Run it with Debian's /usr/bin/python3.
"""
import argparse
import gzip
import statistics
import time

import numpy as np
import torch
from torch import nn

ROOT = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.286, 0.353


def idx(name):
    with gzip.open(f"{ROOT}/{name}", "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def images(name):
    x = torch.from_numpy(idx(name).copy()).float().div_(255).unsqueeze(1)
    return (x - MEAN) / STD


class ConvBn(nn.Module):
    def __init__(self, cin, cout, k, stride=1, relu=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU() if relu else nn.Identity()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = ConvBn(cin, cout, 3, stride)
        self.conv2 = ConvBn(cout, cout, 3, relu=False)
        self.shortcut = ConvBn(cin, cout, 1, stride, relu=False) if stride != 1 or cin != cout else None
        self.relu = nn.ReLU()

    def forward(self, x):
        identity = self.shortcut(x) if self.shortcut is not None else x
        return self.relu(self.conv2(self.conv1(x)) + identity)


class ResNet(nn.Module):
    def __init__(self, stem=16, widths=(16, 32, 64), strides=(1, 2, 2), classes=10):
        super().__init__()
        self.stem = ConvBn(1, stem, 3)
        blocks, cin = [], stem
        for w, s in zip(widths, strides):
            blocks.append(Block(cin, w, s))
            cin = w
        self.stages = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.stages(self.stem(x))), 1))


def top1(model, x, y):
    with torch.no_grad():
        right = sum((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item() for i in range(0, len(x), 1000))
    return 100.0 * right / len(x)


def latency_ms(model, batch, runs=50):
    x = torch.randn(batch, 1, 28, 28)
    with torch.no_grad():
        for _ in range(5):
            model(x)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("float_model")
    p.add_argument("razor_int8")
    p.add_argument("razor_fp32")
    p.add_argument("--calibrate", type=int, default=1024)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.backends.quantized.engine = "onednn"
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    model = ResNet()
    model.load_state_dict(torch.jit.load(a.float_model).state_dict())
    model.eval()
    test_x, test_y = images("t10k-images-idx3-ubyte.gz"), torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    train_x = images("train-images-idx3-ubyte.gz")
    calibration = train_x[torch.randperm(len(train_x), generator=torch.Generator().manual_seed(0))[:a.calibrate]]

    prepared = prepare_fx(model, get_default_qconfig_mapping("onednn"), (calibration[:1],))
    with torch.no_grad():
        for i in range(0, len(calibration), 256):
            prepared(calibration[i:i + 256])
    quantized = convert_fx(prepared)
    python_int8 = torch.jit.freeze(torch.jit.trace(quantized, calibration[:1]).eval())
    python_fp32 = torch.jit.freeze(torch.jit.trace(model, calibration[:1]).eval())
    razor_int8 = torch.jit.load(a.razor_int8).eval()
    razor_fp32 = torch.jit.load(a.razor_fp32).eval()

    print(f"threads {a.threads}, engine onednn, calibration {a.calibrate} training images, "
          f"test 10,000 images; latency: median of 50 calls")
    print(f"{'model':<34} {'top-1 %':>8} {'batch 1 ms':>11} {'batch 64 ms':>12}")
    for name, m in [("PyTorch eager fp32", model), ("PyTorch fp32 (traced, frozen)", python_fp32),
                    ("razor fp32 inference.pt", razor_fp32), ("PyTorch int8 (FX, onednn)", python_int8),
                    ("razor int8 inference.pt", razor_int8)]:
        print(f"{name:<34} {top1(m, test_x, test_y):>8.2f} {latency_ms(m, 1):>11.3f} {latency_ms(m, 64):>12.3f}")


if __name__ == "__main__":
    main()
