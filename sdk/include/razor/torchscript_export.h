#pragma once
/// TorchScript export: writes a LibTorch module tree as a TorchScript module that C++ torch::jit::load
/// and Python torch.jit.load run, with the same parameter and buffer values (eval-mode forward).
/// Known: Sequential, Conv2d, BatchNorm2d, Linear, ReLU, ReLU6, MaxPool2d, AdaptiveAvgPool2d, Flatten,
/// Dropout, Identity, OneShotOp (fixed or with a choice: only the chosen candidate is written), and
/// every module implementing razor::Scriptable.
#include <string>

#include <torch/nn/module.h>

#include "razor/export.h"

namespace torch::jit {
struct Module;
}  // namespace torch::jit

namespace razor {

/// Throws razor::Error naming the module path and type of a module it cannot write.
RAZOR_API torch::jit::Module to_torchscript(const torch::nn::Module& module);

/// to_torchscript() saved to `path` atomically.
RAZOR_API void save_torchscript(const torch::nn::Module& module, const std::string& path);

/// Saves a TorchScript module to `path` atomically (written beside it, then renamed); throws
/// razor::Error naming the path when it cannot.
RAZOR_API void save_script_module(const torch::jit::Module& module, const std::string& path);

}  // namespace razor
