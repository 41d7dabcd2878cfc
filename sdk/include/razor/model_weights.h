#pragma once
/// Model weights files (model.pt): every parameter and buffer of a module, as a LibTorch archive.
/// Loading also reads PyTorch's files (razor/state_dict.h).
#include <string>

#include <torch/nn/module.h>

namespace torch::serialize {
class InputArchive;
}

#include "razor/export.h"
#include "razor/state_dict.h"

namespace razor {

/// Writes `module`'s weights to `path` atomically (a temporary file renamed over it).
RAZOR_API void save_weights(const torch::nn::Module& module, const std::string& path);

/// Loads a weights file into `module` by name: razor's model.pt, Python's torch.save(state_dict) or a
/// TorchScript file (razor/state_dict.h says which and how keys map). Throws razor::Error with one
/// line "cannot load weights from 'path'...: why", the module unchanged.
RAZOR_API LoadReport load_weights(torch::nn::Module& module, const std::string& path, const KeyMap& keys = {});

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
