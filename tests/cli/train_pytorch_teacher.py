#!/usr/bin/env python3
"""Trains a teacher as a PyTorch user would: torchvision's resnet18 (one input channel) on Fashion-MNIST,
briefly, then torch.save(model.state_dict()). Prints its test top-1 on the 10,000 test images, with
razor's normalisation of Fashion-MNIST, so the C++ test can compare razor's evaluation of the same weights.

Usage: train_pytorch_teacher.py OUT_DIR [STEPS]   (Debian's /usr/bin/python3: python3-torch, -torchvision)
"""
import gzip
import sys

import numpy as np
import torch
import torchvision

ROOT = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.286, 0.353  # configs/_base_/datasets/fashion_mnist.toml


def idx(name, offset):
    with gzip.open(f"{ROOT}/{name}.gz", "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def images(name):
    x = torch.from_numpy(idx(name, 16).copy()).float().reshape(-1, 1, 28, 28) / 255.0
    return (x - MEAN) / STD


def main(out_dir, steps):
    torch.manual_seed(0)
    torch.set_num_threads(2)
    train_x, train_y = images("train-images-idx3-ubyte"), torch.from_numpy(idx("train-labels-idx1-ubyte", 8).copy()).long()
    test_x, test_y = images("t10k-images-idx3-ubyte"), torch.from_numpy(idx("t10k-labels-idx1-ubyte", 8).copy()).long()
    model = torchvision.models.resnet18(num_classes=10)
    model.conv1 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    model.train()
    for step in range(steps):
        pick = torch.randint(0, train_x.shape[0], (64,))
        loss = torch.nn.functional.cross_entropy(model(train_x[pick]), train_y[pick])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, test_x.shape[0], 1000):
            correct += (model(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum().item()
    torch.save(model.state_dict(), f"{out_dir}/teacher.pt")
    print(f"python test top-1 {100.0 * correct / test_x.shape[0]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 40)
