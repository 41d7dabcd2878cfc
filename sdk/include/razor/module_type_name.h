#pragma once
/// The short class name of a LibTorch module, as users and TorchScript read it:
/// "torch::nn::Conv2dImpl" -> "Conv2d", "razor::zoo::ShuffleUnitImpl<3>" -> "ShuffleUnit".
/// Used for the type column of `razor-host flops` and for the classes of exported TorchScript modules.
#include <string>

#include <torch/nn/module.h>

#include "razor/export.h"

namespace razor {

RAZOR_API std::string module_type_name(const torch::nn::Module& module);

}  // namespace razor
