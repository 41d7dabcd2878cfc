#pragma once
/// Model weights files (model.pt): every parameter and buffer of a module, as a LibTorch archive.
#include <string>

#include <torch/nn/module.h>

#include "razor/export.h"

namespace razor {

/// Writes `module`'s weights to `path` atomically (a temporary file renamed over it).
RAZOR_API void save_weights(const torch::nn::Module& module, const std::string& path);

/// Loads weights written by save_weights (or `razor-host run`'s model.pt) into `module`, whose
/// structure must match. Throws razor::Error with one line "cannot load weights from 'path': why".
RAZOR_API void load_weights(torch::nn::Module& module, const std::string& path);

}  // namespace razor
