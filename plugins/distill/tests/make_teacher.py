#!/usr/bin/env python3
"""Writes a TorchScript teacher as a Python user would: a small CNN whose forward returns a dict of
named features, scripted and saved. Also writes its logits on a fixed input, as text, so the C++ test
can compare what razor computes with what Python computes.

Usage: make_teacher.py OUT_DIR   (run with Debian's /usr/bin/python3, which has python3-torch)
"""
import sys

import torch
from torch import nn


class Teacher(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 12, 3, padding=1)
        self.bn = nn.BatchNorm2d(12)
        self.fc = nn.Linear(12, 10)

    def forward(self, x):
        feat = torch.relu(self.bn(self.conv(x)))
        pooled = feat.mean(dim=(2, 3))
        return {"feat": feat, "logits": self.fc(pooled)}


def fixed_input():
    return torch.linspace(-1.0, 1.0, 2 * 64).reshape(2, 1, 8, 8)


def main(out_dir):
    torch.manual_seed(0)
    teacher = Teacher().eval()
    scripted = torch.jit.script(teacher)
    scripted.save(f"{out_dir}/teacher.pt")
    with torch.no_grad():
        logits = scripted(fixed_input())["logits"]
    with open(f"{out_dir}/teacher_logits.txt", "w") as f:
        f.write(" ".join(f"{v:.8f}" for v in logits.flatten().tolist()) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
