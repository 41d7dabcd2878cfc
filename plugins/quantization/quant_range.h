#pragma once
// The integer grid a tensor is quantized to, and the scale and zero point that map a float range onto
// it (PyTorch's rules: the range always holds 0, so 0 is exact; symmetric grids have zero point 0).
#include <cstdint>
#include <utility>

#include <ATen/core/Tensor.h>

namespace razor::quantization {

struct QuantRange {
  std::int64_t qmin = 0, qmax = 255;
  bool symmetric = false;  // zero point 0 and a range symmetric about it (int8 weights)
  bool is_signed() const { return qmin < 0; }
};

/// uint8 activations of the engines razor exports for: [0, 255], or [0, 127] with reduce_range
/// (7 bits, for kernels whose 16-bit intermediate sums would overflow).
QuantRange activation_range(bool reduce_range);
/// int8 symmetric weights: [-128, 127], zero point 0.
QuantRange weight_range();

/// Scale (float) and zero point (int64) tensors, shaped like lo and hi (0-dim or [C]).
std::pair<at::Tensor, at::Tensor> qparams(const at::Tensor& lo, const at::Tensor& hi, const QuantRange& range);

}  // namespace razor::quantization
