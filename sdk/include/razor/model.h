#pragma once
/// Model: a network the host and plugins can call polymorphically. LibTorch's Module::forward is not
/// virtual, so every model, whichever library built it, derives from this and overrides forward.
///
/// Example: auto logits = ctx.build<razor::Model>("architecture")->forward(images);
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "razor/component.h"

namespace razor {

class RAZOR_API Model : public torch::nn::Module, public Component {
 public:
  static constexpr const char* kKind = "model";
  ~Model() override;
  /// Images [N, C, H, W] to logits [N, classes].
  virtual at::Tensor forward(const at::Tensor& x) = 0;
};

}  // namespace razor
