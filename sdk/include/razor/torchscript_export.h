#pragma once
/// TorchScript export: writes a LibTorch module tree as a TorchScript module that C++ torch::jit::load
/// and Python torch.jit.load run, with the same parameter and buffer values (eval-mode forward).
/// Known: Sequential, Conv2d, BatchNorm2d, Linear, ReLU, ReLU6, MaxPool2d, AdaptiveAvgPool2d, Flatten,
/// Dropout, Identity, OneShotOp (fixed or with a choice: only the chosen candidate is written), and
/// every module implementing razor::Scriptable. Any other razor::Model is traced (below).
#include <string>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "razor/export.h"
#include "razor/model.h"

namespace torch::jit {
struct Module;
}  // namespace torch::jit

namespace razor {

/// A razor::ScriptBacked module's script_copy(). Otherwise throws razor::Error naming the module path
/// and type of a module it cannot write.
RAZOR_API torch::jit::Module to_torchscript(const torch::nn::Module& module);

/// How to_torchscript(model, example) wrote a model.
enum class ScriptPath {
  source,  // every module's TorchScript source: shape-generic, control flow kept
  traced,  // the forward traced on the example: fixed to that call's control flow, and to any size
           // the C++ forward read as a number (check it at other batch sizes)
  script,  // the model's own TorchScript module (razor::ScriptBacked), with its current tensors
};

/// A razor::ScriptBacked model's script_copy(); else to_torchscript(model) where every module has a
/// source (the layers above, razor::Scriptable); otherwise the model's eval-mode forward traced on
/// `example` [N, C, H, W], with the model's own module and tensor names. `path` (if given) says which. Throws razor::Error when neither works.
RAZOR_API torch::jit::Module to_torchscript(Model& model, const at::Tensor& example, ScriptPath* path = nullptr);

/// The tracing half of the above, for a model that has a source too (tests compare the two).
RAZOR_API torch::jit::Module trace_torchscript(Model& model, const at::Tensor& example);

/// The same trace, keeping the model's own tensors (not copies): the module is a live view of the
/// model, for analyses that read its graph and run it with the model's current values (quantization).
RAZOR_API torch::jit::Module trace_live(Model& model, const at::Tensor& example);

/// to_torchscript() saved to `path` atomically.
RAZOR_API void save_torchscript(const torch::nn::Module& module, const std::string& path);

/// Saves a TorchScript module to `path` atomically (written beside it, then renamed); throws
/// razor::Error naming the path when it cannot.
RAZOR_API void save_script_module(const torch::jit::Module& module, const std::string& path);

}  // namespace razor
