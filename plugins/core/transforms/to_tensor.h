#pragma once
// transform/to_tensor: a picture (uint8 [H, W, C]) to a tensor (float [C, H, W] = value / 255).
#include "razor/context.h"
#include "razor/transform.h"

namespace razor::core {

struct ToTensorOptions : Options<ToTensorOptions> {};

class ToTensor final : public Transform {
 public:
  using Options = ToTensorOptions;
  explicit ToTensor(const Options&) {}
  /// Tensors pass unchanged.
  at::Tensor apply(at::Tensor sample, SampleRandom& random) const override;
};

}  // namespace razor::core
