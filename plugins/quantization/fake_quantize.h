#pragma once
// FakeQuantize: one point where the int8 model quantizes a tensor (an activation, or a weight after
// batch norm is folded into it). It owns an observer, the scale and zero point it rounds to, and
// simulates int8 in float: x -> (clamp(round(x / s) + z, qmin, qmax) - z) * s, with the
// straight-through gradient (1 inside the grid, 0 where clamped). With learnable scales (LSQ) the scale
// is a parameter, initialised from the observer's range the first time it observes, then trained.
#include <memory>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "quant_range.h"
#include "razor/observer.h"

namespace razor::quantization {

class FakeQuantizeImpl : public torch::nn::Module {
 public:
  /// `channels`: 0 for a per-tensor point, else the size of dimension 0 (a per-channel weight).
  FakeQuantizeImpl(std::shared_ptr<Observer> observer, QuantRange range, std::int64_t channels, bool learnable);

  /// Observes x when observing, then returns it fake-quantized when quantizing (else unchanged).
  at::Tensor forward(const at::Tensor& x);

  /// x rounded to this point's grid without observing it (an average pool's output keeps its input's
  /// scale); unchanged when not quantizing.
  at::Tensor requantize(const at::Tensor& x);

  void set_observing(bool on) { observing_ = on; }
  void set_quantizing(bool on) { quantizing_ = on; }
  bool observing() const { return observing_; }
  /// Scale and zero point from the observer's range (a learnable scale is overwritten too).
  void update_qparams();
  /// Whether a scale is set (from observations, a checkpoint or training).
  bool ready() const;
  /// The current scale (float) and zero point (int64): 0-dim, or [C] per channel.
  at::Tensor scale() const;
  at::Tensor zero_point() const;
  const QuantRange& range() const { return range_; }
  bool per_channel() const { return channels_ > 0; }
  Observer& observer() { return *observer_; }

 private:
  std::shared_ptr<Observer> observer_;
  QuantRange range_;
  std::int64_t channels_;
  bool learnable_;
  bool observing_ = false, quantizing_ = false;
  at::Tensor scale_, zero_point_, ready_;
};

TORCH_MODULE(FakeQuantize);

}  // namespace razor::quantization
