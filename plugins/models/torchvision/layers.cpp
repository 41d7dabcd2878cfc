#include "torchvision/layers.h"

#include <algorithm>
#include <stdexcept>

#include <ATen/ATen.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

namespace razor::models::torchvision {

ConvNormActImpl::ConvNormActImpl(const ConvNormActOptions& o) {
  push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(o.in_channels(), o.out_channels(), o.kernel_size())
                                  .stride(o.stride())
                                  .padding((o.kernel_size() - 1) / 2)
                                  .groups(o.groups())
                                  .bias(false)));
  push_back(torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(o.out_channels()).eps(o.bn_eps()).momentum(o.bn_momentum())));
  if (o.activation() != Activation::none) push_back(activation_module(o.activation()));
}

torch::nn::AnyModule activation_module(Activation activation) {
  switch (activation) {
    case Activation::relu: return torch::nn::AnyModule(torch::nn::ReLU());
    case Activation::relu6: return torch::nn::AnyModule(torch::nn::ReLU6());
    case Activation::hardswish: return torch::nn::AnyModule(Hardswish());
    case Activation::none: break;
  }
  throw std::invalid_argument("activation_module: Activation::none has no module");
}

at::Tensor HardswishImpl::forward(at::Tensor x) { return at::hardswish(x); }

at::Tensor HardsigmoidImpl::forward(at::Tensor x) { return at::hardsigmoid(x); }

std::int64_t make_divisible(double value, std::int64_t divisor) {
  std::int64_t rounded = std::max(divisor, static_cast<std::int64_t>(value + static_cast<double>(divisor) / 2) /
                                               divisor * divisor);
  if (static_cast<double>(rounded) < 0.9 * value) rounded += divisor;
  return rounded;
}

at::Tensor forward_through_taps(torch::nn::Sequential& sequence, const std::vector<std::string>& tap_names,
                                razor::TapsImpl& taps, at::Tensor x) {
  std::size_t i = 0;
  for (auto& child : *sequence) {
    x = child.forward(x);
    if (!tap_names.at(i).empty()) x = taps.record(tap_names[i], x);
    ++i;
  }
  return x;
}

}  // namespace razor::models::torchvision
