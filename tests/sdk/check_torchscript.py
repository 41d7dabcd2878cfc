#!/usr/bin/env python3
"""Checks that Python's torch.jit.load runs a TorchScript module that razor exported, with razor's output.

Usage: check_torchscript.py MODEL.pt INPUT.pt EXPECTED.pt [--tolerance 1e-5]

INPUT.pt and EXPECTED.pt are tensors written by C++ torch::pickle_save (torch.load reads them).
Prints the max |diff| between the module's eval-mode output and EXPECTED; exits 1 above the
tolerance, and also when trainable parameters exist but backward reaches none of them (Python could
not fine-tune the export), and when a torch.nn layer's recorded sizes (out_channels, groups,
num_features, in_features, ...) disagree with its tensors (a pruned file must read as pruned).
Run it with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import sys

import torch


def load_tensor(path):
    value = torch.load(path, map_location="cpu")
    if not isinstance(value, torch.Tensor):
        raise SystemExit(f"{path}: expected a tensor, got {type(value).__name__}")
    return value


def check_fine_tune(module, x):
    """(parameters that require grad, how many of them backward through the module reaches)."""
    trainable = [p for p in module.parameters() if p.requires_grad]
    if trainable:
        module(x).double().square().sum().backward()
    return len(trainable), sum(p.grad is not None for p in trainable)


def size_faults(module):
    """torch.nn layers whose recorded sizes (in_channels, groups, num_features, ...) disagree with their tensors."""
    faults = []
    for name, m in module.named_modules():
        kind = getattr(m, "original_name", "")
        if kind == "Conv2d" and hasattr(m, "out_channels"):
            w = m.weight
            if (m.out_channels, m.in_channels) != (w.shape[0], w.shape[1] * m.groups):
                faults.append(f"{name}: out_channels {m.out_channels}, in_channels {m.in_channels}, groups {m.groups} "
                              f"for a weight {tuple(w.shape)}")
        elif kind == "Linear" and hasattr(m, "in_features"):
            if (m.out_features, m.in_features) != tuple(m.weight.shape):
                faults.append(f"{name}: {m.in_features} -> {m.out_features} features for a weight {tuple(m.weight.shape)}")
        elif kind == "BatchNorm2d" and hasattr(m, "num_features") and m.running_mean is not None:
            if m.num_features != m.running_mean.numel():
                faults.append(f"{name}: num_features {m.num_features} for {m.running_mean.numel()} statistics")
    return faults


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("input")
    parser.add_argument("expected")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()

    module = torch.jit.load(args.model, map_location="cpu")
    module.eval()
    x, expected = load_tensor(args.input), load_tensor(args.expected)
    with torch.no_grad():
        y = module(x)
    if y.shape != expected.shape:
        print(f"shape {tuple(y.shape)} != expected {tuple(expected.shape)}")
        return 1
    diff = (y.double() - expected.double()).abs().max().item() if y.numel() else 0.0
    params = sum(p.numel() for p in module.parameters())
    print(f"max |diff| = {diff:.3g} (tolerance {args.tolerance:g}); output {tuple(y.shape)}; {params} parameters")
    trainable, reached = check_fine_tune(module, x)
    print(f"backward reaches {reached} of {trainable} trainable parameter tensors")
    if hasattr(module, "input_shape"):  # what razor's export records about its input
        print(f"input_shape {list(module.input_shape)} layout {module.input_layout} mean {list(module.input_mean)} "
              f"classes {len(module.class_names)}")
    faults = size_faults(module)
    for fault in faults:
        print(f"recorded size disagrees: {fault}")
    if (trainable and not reached) or faults:
        return 1
    return 0 if diff <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
