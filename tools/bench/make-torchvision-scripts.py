"""torchvision's architectures as TorchScript files, for razor's prunability table (issue 22, docs/models.md).

Each network is built by Debian's python3-torchvision with random weights (no downloads) and 10 classes,
scripted with torch.jit.script, or traced with torch.jit.trace on one input where scripting fails or the
scripted forward returns something else than a tensor, and saved
as OUT_DIR/<name>.pt. OUT_DIR/manifest.tsv lists: name, how (scripted | traced | failed), input C,H,W,
and the scripting error when it was traced.
Usage: make-torchvision-scripts.py OUT_DIR [SIZE]   (SIZE: input height and width, default 64)
"""
import os
import sys

import torch
import torchvision.models as tvm

# name -> (constructor, extra keyword arguments, smallest input size it takes)
NETWORKS = {
    "resnet18": (tvm.resnet18, {}, 32),
    "resnet50": (tvm.resnet50, {}, 32),
    "resnext50_32x4d": (tvm.resnext50_32x4d, {}, 32),
    "wide_resnet50_2": (tvm.wide_resnet50_2, {}, 32),
    "vgg11_bn": (tvm.vgg11_bn, {}, 32),
    "alexnet": (tvm.alexnet, {}, 64),
    "squeezenet1_1": (tvm.squeezenet1_1, {}, 32),
    "densenet121": (tvm.densenet121, {}, 32),
    "googlenet": (tvm.googlenet, {"aux_logits": False, "init_weights": True}, 32),
    "inception_v3": (tvm.inception_v3, {"aux_logits": False, "init_weights": True}, 75),
    "mobilenet_v2": (tvm.mobilenet_v2, {}, 32),
    "mobilenet_v3_small": (tvm.mobilenet_v3_small, {}, 32),
    "mnasnet1_0": (tvm.mnasnet1_0, {}, 32),
    "shufflenet_v2_x1_0": (tvm.shufflenet_v2_x1_0, {}, 32),
    "efficientnet_b0": (tvm.efficientnet_b0, {}, 32),
    "regnet_y_400mf": (tvm.regnet_y_400mf, {}, 32),
    "convnext_tiny": (tvm.convnext_tiny, {}, 32),
    "vit_b_16": (tvm.vit_b_16, {"image_size": 64}, 64),
}


def main(out, size):
    os.makedirs(out, exist_ok=True)
    rows = []
    for name, (make, kwargs, smallest) in NETWORKS.items():
        torch.manual_seed(0)
        side = max(size, smallest)
        if name == "vit_b_16":
            kwargs = dict(kwargs, image_size=side)
        net = make(num_classes=10, **kwargs).eval()
        path = os.path.join(out, name + ".pt")
        why = ""
        x = torch.randn(1, 3, side, side)
        try:
            scripted = torch.jit.script(net)
            if not isinstance(scripted(x), torch.Tensor):  # GoogLeNet, Inception: a named tuple of outputs
                raise TypeError("the scripted forward returns " + type(scripted(x)).__name__ + ", not a tensor")
            scripted.save(path)
            how = "scripted"
        except Exception as e:  # noqa: BLE001 - any scripting failure falls back to tracing
            why = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            try:
                torch.jit.trace(net, x).save(path)
                how = "traced"
            except Exception as e2:  # noqa: BLE001
                how, why = "failed", why + " / trace: " + str(e2).strip().splitlines()[0]
        rows.append(f"{name}\t{how}\t3,{side},{side}\t{why}")
        print(rows[-1], flush=True)
    with open(os.path.join(out, "manifest.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 64)
