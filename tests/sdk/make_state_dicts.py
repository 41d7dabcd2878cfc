"""Writes the weights files test_state_dict.cpp reads, with Debian's python3-torch: what users bring
from PyTorch (state_dicts, checkpoints, TorchScript) and what they should be refused (legacy format,
pickled modules, foreign objects). Usage: make_state_dicts.py OUT_DIR"""
import datetime
import os
import sys
import zipfile

import torch

out = sys.argv[1]
torch.manual_seed(0)


def net():
    # The same layers, in the same order, as the C++ test's torch::nn::Sequential.
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 5)
    )


model = net()
model.train()
with torch.no_grad():
    for _ in range(3):
        model(torch.randn(8, 3, 8, 8) * 2 + 1)  # running statistics that are not 0 and 1
model.eval()
x = torch.randn(2, 3, 8, 8)
with torch.no_grad():
    y = model(x)
sd = model.state_dict()


def path(name):
    return os.path.join(out, name)


torch.save(sd, path("state_dict.pt"))
torch.save({"input": x, "output": y}, path("io.pt"))
torch.save({"epoch": 3, "meta": {"lr": 0.1, "tags": ["a", "b"], "ok": True, "none": None}, "state_dict": sd},
           path("checkpoint.pt"))
torch.save({"module." + k: v for k, v in sd.items()}, path("data_parallel.pt"))
torch.save({k: (v.half() if v.is_floating_point() else v) for k, v in sd.items()}, path("half.pt"))
torch.save(dict(sd), path("plain_dict.pt"))
torch.jit.script(model).save(path("scripted.pt"))
# Views sharing one storage, and a transposed (non-contiguous) one.
base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
torch.save({"whole": base, "row": base[1], "column": base[:, 2], "transposed": base.t(),
            "long": torch.tensor([1, -2, 3]), "flag": torch.tensor([True, False])}, path("views.pt"))

# What is refused.
torch.save(sd, path("legacy.pt"), _use_new_zipfile_serialization=False)
torch.save(model, path("whole_model.pt"))
torch.save({"weight": torch.ones(2), "when": datetime.date(2026, 1, 1)}, path("foreign_object.pt"))
torch.save({"epoch": 3, "best": 0.9}, path("no_tensors.pt"))
with zipfile.ZipFile(path("no_data_pkl.pt"), "w") as z:
    z.writestr("archive/readme.txt", "not torch.save")
with open(path("state_dict.pt"), "rb") as f:
    whole = f.read()
with open(path("truncated.pt"), "wb") as f:
    f.write(whole[: len(whole) // 2])
with open(path("text.pt"), "w") as f:
    f.write("conv.weight 1 2 3\n")
open(path("empty.pt"), "wb").close()
print("wrote", len(os.listdir(out)), "files")
