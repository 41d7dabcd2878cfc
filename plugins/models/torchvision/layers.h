#pragma once
/// The pieces torchvision's classification networks share, built so that their module and parameter
/// names are torchvision's: Conv2dNormActivation as a Sequential ("0" conv, "1" bn, "2" activation),
/// the hard activations LibTorch lacks as modules, MobileNet's channel rounding, and running a
/// Sequential through taps.
///
/// Example: features->push_back(ConvNormAct(ConvNormActOptions(3, 32, 3).stride(2).activation(Activation::relu6)));
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include "razor/tap.h"

namespace razor::models::torchvision {

enum class Activation { none, relu, relu6, hardswish };

struct ConvNormActOptions {
  ConvNormActOptions(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TORCH_ARG(std::int64_t, in_channels);
  TORCH_ARG(std::int64_t, out_channels);
  /// Square kernel; padding (kernel_size - 1) / 2, as torchvision's.
  TORCH_ARG(std::int64_t, kernel_size);
  TORCH_ARG(std::int64_t, stride) = 1;
  TORCH_ARG(std::int64_t, groups) = 1;
  TORCH_ARG(Activation, activation) = Activation::relu;
  /// MobileNetV3 uses eps 1e-3 and momentum 0.01; everything else BatchNorm2d's defaults.
  TORCH_ARG(double, bn_eps) = 1e-5;
  TORCH_ARG(double, bn_momentum) = 0.1;
};

/// Conv2d (no bias) -> BatchNorm2d -> activation (left out for Activation::none): torchvision's
/// Conv2dNormActivation, a Sequential whose children are named "0", "1", "2". A subclass with a plain
/// forward, since LibTorch cannot hold a Sequential (templated forward) inside another.
class ConvNormActImpl : public torch::nn::SequentialImpl {
 public:
  explicit ConvNormActImpl(const ConvNormActOptions& options);
  at::Tensor forward(at::Tensor x) { return SequentialImpl::forward(x); }
};
TORCH_MODULE(ConvNormAct);

/// The activation module of `activation` (not none).
torch::nn::AnyModule activation_module(Activation activation);

/// x * relu6(x + 3) / 6 as a module (torch.nn.Hardswish); it holds nothing.
class HardswishImpl : public torch::nn::Module {
 public:
  at::Tensor forward(at::Tensor x);
};
TORCH_MODULE(Hardswish);

/// relu6(x + 3) / 6 as a module (torch.nn.Hardsigmoid); it holds nothing.
class HardsigmoidImpl : public torch::nn::Module {
 public:
  at::Tensor forward(at::Tensor x);
};
TORCH_MODULE(Hardsigmoid);

/// torchvision's _make_divisible: `value` rounded to the nearest multiple of `divisor` (at least
/// `divisor`), one step up when rounding lost more than 10 %. MobileNet widths go through it.
std::int64_t make_divisible(double value, std::int64_t divisor = 8);

/// Runs the children of `sequence` in order; child i's output passes through the tap `tap_names[i]`
/// (an empty name: not tapped). tap_names has one entry per child.
at::Tensor forward_through_taps(torch::nn::Sequential& sequence, const std::vector<std::string>& tap_names,
                                razor::TapsImpl& taps, at::Tensor x);

}  // namespace razor::models::torchvision
