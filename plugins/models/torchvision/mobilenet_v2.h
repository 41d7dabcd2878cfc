#pragma once
/// torchvision's MobileNetV2 (0.14) with its module names: features.0 (3x3/2 Conv2dNormActivation),
/// features.1..17 inverted residual blocks (conv.N), features.18 (1x1 to 1280), classifier.0 dropout,
/// classifier.1 Linear. torchvision pools functionally; the `avgpool` module here holds nothing, so
/// the state_dict is torchvision's.
///
/// Example: TorchvisionMobileNetV2 net(TorchvisionMobileNetV2Options().width_mult(0.5).num_classes(10));
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/pooling.h>

#include "torchvision/features_classifier.h"
#include "torchvision/options.h"

namespace razor::models::torchvision {

struct TorchvisionMobileNetV2Options : razor::Options<TorchvisionMobileNetV2Options> {
  RAZOR_TORCHVISION_OPTIONS(1000);
  RAZOR_ARG(double, width_mult, "multiplier of every width (rounded to multiples of 8, as torchvision's)", 1.0)
      .positive();
};

/// torchvision's mobilenetv2.InvertedResidual: `conv` = [1x1 expansion,] 3x3 depthwise, 1x1
/// projection conv, bn; a residual when stride is 1 and the width stays.
class MobileNetV2BlockImpl : public torch::nn::Module {
 public:
  MobileNetV2BlockImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t stride,
                       std::int64_t expand_ratio);
  at::Tensor forward(at::Tensor x);

  torch::nn::Sequential conv{nullptr};
  bool residual;
};
TORCH_MODULE(MobileNetV2Block);

/// Taps: "features.0" ... "features.18", "avgpool" (pooled and flattened), "classifier.1" (the logits).
class TorchvisionMobileNetV2Impl : public FeaturesClassifierImpl {
 public:
  using Options = TorchvisionMobileNetV2Options;
  explicit TorchvisionMobileNetV2Impl(const Options& options = {});

  Options options;
};
TORCH_MODULE(TorchvisionMobileNetV2);

}  // namespace razor::models::torchvision
