#pragma once
/// Connector: a small trainable adapter that maps a student feature to the teacher's shape before a
/// distillation loss compares them.
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "razor/component.h"

namespace razor {

class RAZOR_API Connector : public torch::nn::Module, public Component {
 public:
  static constexpr const char* kKind = "connector";
  ~Connector() override;
  virtual at::Tensor forward(const at::Tensor& feature) = 0;
};

}  // namespace razor
