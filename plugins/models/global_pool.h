#pragma once
// Global average pooling to [N, C], the end of every zoo backbone (include from .cpp files only).
#include <string>

#include <ATen/ATen.h>

namespace razor::models {

inline at::Tensor global_pool(const at::Tensor& x) { return at::adaptive_avg_pool2d(x, {1, 1}).flatten(1); }

/// global_pool(`x`) as a TorchScript expression, for Scriptable sources.
inline std::string global_pool_script(const std::string& x) {
  return "torch.flatten(torch.adaptive_avg_pool2d(" + x + ", [1, 1]), 1)";
}

}  // namespace razor::models
