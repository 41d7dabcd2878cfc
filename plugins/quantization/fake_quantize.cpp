#include "fake_quantize.h"

#include <cmath>
#include <limits>

#include <ATen/ATen.h>

#include "razor/errors.h"

namespace razor::quantization {

FakeQuantizeImpl::FakeQuantizeImpl(std::shared_ptr<Observer> observer, QuantRange range, std::int64_t channels,
                                   bool learnable)
    : observer_(register_module("observer", std::move(observer))),
      range_(range),
      channels_(channels),
      learnable_(learnable) {
  const std::vector<std::int64_t> shape = channels > 0 ? std::vector<std::int64_t>{channels} : std::vector<std::int64_t>{1};
  if (learnable) {
    scale_ = register_parameter("scale", at::ones(shape, at::kFloat));
    zero_point_ = register_buffer("zero_point", at::zeros(shape, at::kFloat));  // LSQ's kernels take float
  } else {
    scale_ = register_buffer("scale", at::ones(shape, at::kFloat));
    zero_point_ = register_buffer("zero_point", at::zeros(shape, at::kLong));
  }
  ready_ = register_buffer("ready", at::zeros({}, at::kLong));
}

bool FakeQuantizeImpl::ready() const { return ready_.item<std::int64_t>() != 0; }

at::Tensor FakeQuantizeImpl::scale() const {
  const at::Tensor s = scale_.detach().clone();
  return channels_ > 0 ? s : s.reshape({});
}

at::Tensor FakeQuantizeImpl::zero_point() const {
  const at::Tensor z = at::round(zero_point_.detach()).to(at::kLong);
  return channels_ > 0 ? z : z.reshape({});
}

void FakeQuantizeImpl::update_qparams() {
  auto [lo, hi] = observer_->range();
  auto [s, z] = qparams(lo, hi, range_);
  if (s.numel() != scale_.numel()) {
    throw Error("an observer gave " + std::to_string(s.numel()) + " scales for a point of " +
                std::to_string(scale_.numel()) + " (a per-channel observer on an activation?)");
  }
  at::NoGradGuard no_grad;
  scale_.copy_(s.reshape(scale_.sizes()));
  zero_point_.copy_(z.reshape(zero_point_.sizes()));
  ready_.fill_(1);
}

at::Tensor FakeQuantizeImpl::forward(const at::Tensor& x) {
  if (observing_) {
    if (!at::isfinite(x.detach()).all().item<bool>())
      throw Error("quantization: non-finite values (NaN or infinity) reached an observer: the model has diverged "
                  "(a lower learning rate?)");
    observer_->observe(x);
    if (!learnable_ || !ready()) update_qparams();
  }
  return requantize(x);
}

at::Tensor FakeQuantizeImpl::requantize(const at::Tensor& x) {
  // Before calibration (or a checkpoint, or training) gives it a scale, a point passes values through:
  // the model computes in float. The int8 export refuses such a point.
  if (!quantizing_ || !ready()) return x;
  if (learnable_) {
    // A step may push a scale to 0 or below; the grid needs it positive.
    const at::Tensor scale = scale_.clamp_min(std::numeric_limits<float>::epsilon());
    // LSQ's gradient scale: 1 / sqrt(elements per scale x qmax).
    const double per_scale = static_cast<double>(x.numel()) / static_cast<double>(scale_.numel());
    const double grad_factor = 1.0 / std::sqrt(per_scale * static_cast<double>(range_.qmax));
    if (channels_ > 0) {
      return at::_fake_quantize_learnable_per_channel_affine(x, scale, zero_point_, 0, range_.qmin, range_.qmax,
                                                            grad_factor);
    }
    return at::_fake_quantize_learnable_per_tensor_affine(x, scale, zero_point_, range_.qmin, range_.qmax, grad_factor);
  }
  if (channels_ > 0) {
    return at::fake_quantize_per_channel_affine(x, scale_, zero_point_.to(at::kInt), 0, range_.qmin, range_.qmax);
  }
  return at::fake_quantize_per_tensor_affine(x, scale_.item<double>(), zero_point_.item<std::int64_t>(), range_.qmin,
                                             range_.qmax);
}

}  // namespace razor::quantization
