#pragma once
/// torchvision's MobileNetV3 (0.14), small and large, with its module names: features.0 (3x3/2,
/// hardswish), features.1..N inverted residual blocks (block.N, with SqueezeExcitation avgpool/fc1/fc2
/// where the paper has one), the last 1x1 conv, avgpool, classifier.0 Linear, .1 hardswish, .2
/// dropout, .3 Linear. Batch norms use eps 1e-3 and momentum 0.01, as torchvision's.
///
/// Example: MobileNetV3Small net(TorchvisionMobileNetV3Options().num_classes(10));
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

#include "torchvision/features_classifier.h"
#include "torchvision/layers.h"
#include "torchvision/options.h"

namespace razor::models::torchvision {

struct TorchvisionMobileNetV3Options : razor::Options<TorchvisionMobileNetV3Options> {
  RAZOR_TORCHVISION_OPTIONS(1000);
  RAZOR_ARG(double, width_mult, "multiplier of every width (rounded to multiples of 8, as torchvision's)", 1.0)
      .positive();
};

/// torchvision.ops.SqueezeExcitation with a hard-sigmoid gate: x * hardsigmoid(fc2(relu(fc1(avgpool(x))))).
class SqueezeExcitationImpl : public torch::nn::Module {
 public:
  SqueezeExcitationImpl(std::int64_t channels, std::int64_t squeeze_channels);
  at::Tensor forward(at::Tensor x);

  torch::nn::AdaptiveAvgPool2d avgpool{nullptr};
  torch::nn::Conv2d fc1{nullptr}, fc2{nullptr};
  torch::nn::ReLU activation{nullptr};
  Hardsigmoid scale_activation{nullptr};
};
TORCH_MODULE(SqueezeExcitation);

/// One row of the paper's Tables 1 and 2 (torchvision's InvertedResidualConfig), widths already
/// multiplied and rounded.
struct MobileNetV3BlockSetting {
  std::int64_t in_channels, kernel_size, expanded_channels, out_channels;
  bool squeeze_excite, hardswish;
  std::int64_t stride;
};

/// torchvision's mobilenetv3.InvertedResidual: `block` = [1x1 expansion,] kxk depthwise,
/// [squeeze-excitation,] 1x1 projection; a residual when stride is 1 and the width stays.
class MobileNetV3BlockImpl : public torch::nn::Module {
 public:
  explicit MobileNetV3BlockImpl(const MobileNetV3BlockSetting& setting);
  at::Tensor forward(at::Tensor x);

  torch::nn::Sequential block{nullptr};
  bool residual;
};
TORCH_MODULE(MobileNetV3Block);

/// Taps: "features.0" ... "features.N", "avgpool" (pooled and flattened), "classifier.3" (the logits).
class TorchvisionMobileNetV3Impl : public FeaturesClassifierImpl {
 public:
  using Options = TorchvisionMobileNetV3Options;
  /// `blocks` and `last_channels` (classifier.0's width) before the width multiplier.
  TorchvisionMobileNetV3Impl(const std::vector<MobileNetV3BlockSetting>& blocks, std::int64_t last_channels,
                             const Options& options);

  Options options;
};

/// torchvision.models.mobilenet_v3_small: 11 blocks, last widths 576 and 1024.
class MobileNetV3SmallImpl final : public TorchvisionMobileNetV3Impl {
 public:
  explicit MobileNetV3SmallImpl(const Options& options = {});
};
TORCH_MODULE(MobileNetV3Small);

/// torchvision.models.mobilenet_v3_large: 15 blocks, last widths 960 and 1280.
class MobileNetV3LargeImpl final : public TorchvisionMobileNetV3Impl {
 public:
  explicit MobileNetV3LargeImpl(const Options& options = {});
};
TORCH_MODULE(MobileNetV3Large);

}  // namespace razor::models::torchvision
