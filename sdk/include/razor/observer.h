#pragma once
/// Observer: watches the values a tensor takes (a weight once, an activation batch after batch) and
/// says which range to quantize it to. Per-tensor observers give 0-dim min and max; per-channel ones
/// give one per channel of dimension 0 (a weight's output channels).
///
/// Example: observer->observe(x); auto [lo, hi] = observer->range();
#include <utility>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "razor/component.h"

namespace razor {

class RAZOR_API Observer : public torch::nn::Module, public Component {
 public:
  static constexpr const char* kKind = "observer";
  ~Observer() override;
  /// Takes in the values of one call (read only; no gradient flows through an observer).
  virtual void observe(const at::Tensor& x) = 0;
  /// The range to quantize to, (min, max) with min <= 0 <= max not required; throws razor::Error
  /// when nothing was observed.
  virtual std::pair<at::Tensor, at::Tensor> range() const = 0;
  /// True when range() has one value per channel of dimension 0.
  virtual bool per_channel() const;
  /// Whether observe() has seen any values (its state is part of checkpoints).
  virtual bool observed() const = 0;
};

}  // namespace razor
