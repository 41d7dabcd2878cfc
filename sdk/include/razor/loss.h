#pragma once
/// Loss: a criterion between a prediction and a target (labels, or a teacher's output).
///
/// Example: auto l = ctx.build<razor::Loss>("loss")->forward(logits, labels);
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "razor/component.h"

namespace razor {

class RAZOR_API Loss : public torch::nn::Module, public Component {
 public:
  static constexpr const char* kKind = "loss";
  ~Loss() override;
  virtual at::Tensor forward(const at::Tensor& prediction, const at::Tensor& target) = 0;
};

}  // namespace razor
