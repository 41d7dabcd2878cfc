#include "quant_range.h"

#include <limits>

#include <ATen/ATen.h>

namespace razor::quantization {

QuantRange activation_range(bool reduce_range) { return {0, reduce_range ? 127 : 255, false}; }

QuantRange weight_range() { return {-128, 127, true}; }

std::pair<at::Tensor, at::Tensor> qparams(const at::Tensor& lo, const at::Tensor& hi, const QuantRange& range) {
  const at::Tensor min_neg = at::clamp_max(lo.to(at::kFloat), 0);
  const at::Tensor max_pos = at::clamp_min(hi.to(at::kFloat), 0);
  const double levels = static_cast<double>(range.qmax - range.qmin);
  const double eps = std::numeric_limits<float>::epsilon();
  if (range.symmetric) {
    const at::Tensor scale = at::clamp_min(at::maximum(-min_neg, max_pos) / (levels / 2), eps);
    return {scale, at::zeros(scale.sizes(), scale.options().dtype(at::kLong))};
  }
  const at::Tensor scale = at::clamp_min((max_pos - min_neg) / levels, eps);
  const at::Tensor zero_point =
      at::clamp(static_cast<double>(range.qmin) - at::round(min_neg / scale), range.qmin, range.qmax).to(at::kLong);
  return {scale, zero_point};
}

}  // namespace razor::quantization
