#pragma once
/// TinyVgg: a small classifier written by hand from LibTorch layers, the way any LibTorch model is
/// written (Options + Impl + TORCH_MODULE holder). Nothing in it is about pruning: razor finds its
/// channel units by tracing one forward pass.
///
///   x -> stem -> res1 -> res2 -(+ stem's output)-> relu -> pool (2x2 max)
///     -> cat(branch1x1, branch3x3) on dim 1 -> head -> global average pool -> flatten -> fc
///
/// Example: TinyVgg net(TinyVggOptions().in_channels(1).num_classes(10));  // net(images) -> logits
#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/adaptive.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>
#include <torch/nn/pimpl.h>

#include <razor/model.h>
#include <razor/options.h>
#include <razor/scriptable.h>
#include <razor/tap.h>

namespace tiny_vgg {

struct ConvBnReluOptions {
  ConvBnReluOptions(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TORCH_ARG(std::int64_t, in_channels);
  TORCH_ARG(std::int64_t, out_channels);
  /// Square kernel, padded to keep the image size.
  TORCH_ARG(std::int64_t, kernel_size);
  /// false: no ReLU (the last convolution before a residual add).
  TORCH_ARG(bool, relu) = true;
};

/// Conv2d (no bias) -> BatchNorm2d -> ReLU.
class ConvBnReluImpl : public torch::nn::Module, public razor::Scriptable {
 public:
  explicit ConvBnReluImpl(const ConvBnReluOptions& options);
  at::Tensor forward(const at::Tensor& x);
  /// The same forward in TorchScript, for the export's subnet.pt.
  std::string torchscript_forward() const override;

  ConvBnReluOptions options;
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::ReLU relu{nullptr};  // empty when options.relu() is false
};
TORCH_MODULE(ConvBnRelu);

/// Its options, each declared once (razor/options.h): RAZOR_ARG gives the LibTorch accessors
/// (`TinyVggOptions().stem_channels(8)`) and, from the same line, the option razor reads from a config.
struct TinyVggOptions : razor::Options<TinyVggOptions> {
  RAZOR_ARG(std::int64_t, in_channels, "image channels", 1).positive();
  RAZOR_ARG(std::int64_t, num_classes, "output logits", 10).positive();
  RAZOR_ARG(std::int64_t, stem_channels, "width of the stem and of the residual pair", 16).positive();
  RAZOR_ARG(std::int64_t, branch1x1_channels, "width of the 1x1 branch", 16).positive();
  RAZOR_ARG(std::int64_t, branch3x3_channels, "width of the 3x3 branch", 24).positive();
  RAZOR_ARG(std::int64_t, head_channels, "width of the last convolution", 64).positive();
};

/// razor::Model is a torch::nn::Module with a virtual forward; razor::Scriptable lets the export write
/// the (pruned) model as TorchScript; the taps are named record points for distillation.
class TinyVggImpl : public razor::Model, public razor::Scriptable {
 public:
  using Options = TinyVggOptions;  // razor::component<TinyVggImpl> reads it from the config
  explicit TinyVggImpl(const TinyVggOptions& options = {});
  at::Tensor forward(const at::Tensor& x) override;
  std::string torchscript_forward() const override;

  TinyVggOptions options;
  ConvBnRelu stem{nullptr}, res1{nullptr}, res2{nullptr};
  torch::nn::MaxPool2d pool{nullptr};
  ConvBnRelu branch1x1{nullptr}, branch3x3{nullptr};
  ConvBnRelu head{nullptr};
  torch::nn::AdaptiveAvgPool2d gap{nullptr};
  torch::nn::Flatten flatten{nullptr};
  torch::nn::Linear fc{nullptr};
  razor::Taps taps{nullptr};  // "stem", "residual", "branches", "head", "fc" (the logits)
};
TORCH_MODULE(TinyVgg);

}  // namespace tiny_vgg
