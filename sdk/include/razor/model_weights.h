#pragma once
/// Model weights files (model.pt): every parameter and buffer of a module, as a LibTorch archive.
#include <string>

#include <torch/nn/module.h>

namespace torch::serialize {
class InputArchive;
}

#include "razor/export.h"

namespace razor {

/// Writes `module`'s weights to `path` atomically (a temporary file renamed over it).
RAZOR_API void save_weights(const torch::nn::Module& module, const std::string& path);

/// Loads weights written by save_weights (or `razor-host run`'s model.pt) into `module`, whose
/// structure must match. Throws razor::Error with one line "cannot load weights from 'path': why".
RAZOR_API void load_weights(torch::nn::Module& module, const std::string& path);

/// Module::load with a check LibTorch leaves out: its loads replace a tensor of another shape rather than
/// refusing it, so a file from another architecture or width would load silently. Checks every shape
/// first, and throws razor::Error "<what>: <tensor>: shape [..] in the file, [..] in the model" with the
/// module unchanged (c10::Error from Module::load for a missing tensor).
/// Called inside a catch block around a LibTorch load: rethrows razor errors, and turns anything else
/// (c10::Error, LibTorch's TorchScript errors, std::bad_alloc from a damaged length field) into one
/// razor::Error "<prefix>: <first line of the reason>".
[[noreturn]] RAZOR_API void rethrow_load_error(const std::string& prefix);

RAZOR_API void load_module_checked(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                                   const std::string& what);

}  // namespace razor
