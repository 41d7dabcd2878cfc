#pragma once
/// Optimizer: makes the LibTorch optimizer that trains a run's parameters (config `[optimizer]`, e.g.
/// `type = "sgd"`). Its learning rate is the base rate the schedule scales.
///
/// Example: auto sgd = ctx.build<razor::Optimizer>("optimizer")->create(model.parameters());
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/optim/optimizer.h>

#include "razor/component.h"

namespace razor {

class RAZOR_API Optimizer : public Component {
 public:
  static constexpr const char* kKind = "optimizer";
  ~Optimizer() override;
  /// A new optimizer over `parameters`, at the base learning rate.
  virtual std::unique_ptr<torch::optim::Optimizer> create(const std::vector<at::Tensor>& parameters) const = 0;
  /// The base learning rate.
  virtual double lr() const = 0;
};

}  // namespace razor
