#pragma once
/// torchvision's ShuffleNetV2 (0.14), x0.5 and x1.0, with its module names: conv1 (Sequential of conv,
/// bn, relu), maxpool, stage2..stage4 of blocks with branch1/branch2, conv5, fc. torchvision pools with
/// a mean; the `avgpool` module here holds nothing, so the state_dict is torchvision's.
///
/// Example: ShuffleNetV2X10 net(TorchvisionShuffleNetV2Options().num_classes(100));
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include "razor/model.h"
#include "razor/tap.h"
#include "torchvision/options.h"

namespace razor::models::torchvision {

struct TorchvisionShuffleNetV2Options : razor::Options<TorchvisionShuffleNetV2Options> {
  RAZOR_TORCHVISION_OPTIONS(1000);
};

/// torchvision's shufflenetv2.InvertedResidual. Stride 1: the input's second half goes through
/// branch2, the first half passes (branch1 is empty). Stride 2: both branches see the whole input.
/// Then the halves are concatenated and shuffled (two groups).
class ShuffleNetV2BlockImpl : public torch::nn::Module {
 public:
  ShuffleNetV2BlockImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t stride);
  at::Tensor forward(at::Tensor x);

  torch::nn::Sequential branch1{nullptr}, branch2{nullptr};
  std::int64_t stride;
};
TORCH_MODULE(ShuffleNetV2Block);

/// Taps: "maxpool", "stage2", "stage3", "stage4", "conv5", "avgpool" (pooled), "fc" (the logits).
class TorchvisionShuffleNetV2Impl : public razor::Model {
 public:
  using Options = TorchvisionShuffleNetV2Options;
  /// `repeats`: blocks of stage2..4; `widths`: conv1, stage2..4 and conv5 output channels.
  TorchvisionShuffleNetV2Impl(const std::vector<std::int64_t>& repeats, const std::vector<std::int64_t>& widths,
                              const Options& options);
  at::Tensor forward(const at::Tensor& x) override;

  Options options;
  torch::nn::Sequential conv1{nullptr};
  torch::nn::MaxPool2d maxpool{nullptr};
  std::vector<torch::nn::Sequential> stages;  // registered as stage2, stage3, stage4
  torch::nn::Sequential conv5{nullptr};
  torch::nn::AdaptiveAvgPool2d avgpool{nullptr};
  torch::nn::Linear fc{nullptr};
  razor::Taps taps{nullptr};
};

/// torchvision.models.shufflenet_v2_x0_5: widths 24, 48, 96, 192, 1024.
class ShuffleNetV2X05Impl final : public TorchvisionShuffleNetV2Impl {
 public:
  explicit ShuffleNetV2X05Impl(const Options& options = {});
};
TORCH_MODULE(ShuffleNetV2X05);

/// torchvision.models.shufflenet_v2_x1_0: widths 24, 116, 232, 464, 1024.
class ShuffleNetV2X10Impl final : public TorchvisionShuffleNetV2Impl {
 public:
  explicit ShuffleNetV2X10Impl(const Options& options = {});
};
TORCH_MODULE(ShuffleNetV2X10);

}  // namespace razor::models::torchvision
