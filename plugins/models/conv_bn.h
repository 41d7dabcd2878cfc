#pragma once
/// ConvBn: Conv2d (no bias) -> BatchNorm2d -> optional activation, the unit every zoo network is built of.
///
/// Example: ConvBn stem(ConvBnOptions(1, 16, 3).stride(2));
#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include "razor/scriptable.h"

namespace razor::models {

enum class Activation { none, relu, relu6 };

struct ConvBnOptions {
  ConvBnOptions(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TORCH_ARG(std::int64_t, in_channels);
  TORCH_ARG(std::int64_t, out_channels);
  /// Square kernel; padding is kernel_size / 2 (same size at stride 1).
  TORCH_ARG(std::int64_t, kernel_size);
  TORCH_ARG(std::int64_t, stride) = 1;
  /// groups == in_channels == out_channels makes a depthwise convolution.
  TORCH_ARG(std::int64_t, groups) = 1;
  TORCH_ARG(Activation, activation) = Activation::relu;
};

class ConvBnImpl : public torch::nn::Module, public razor::Scriptable {
 public:
  explicit ConvBnImpl(const ConvBnOptions& options);
  at::Tensor forward(at::Tensor x);
  std::string torchscript_forward() const override;

  ConvBnOptions options;
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(ConvBn);

}  // namespace razor::models
