#pragma once
/// MobileNetV2 for small images: inverted residual blocks (1x1 expansion, 3x3 depthwise, linear 1x1
/// projection) with ReLU6, widths, repeats and strides from the options.
///
/// Example: MobileNetV2 net(MobileNetV2Options().widths({16, 24, 32}).expand_ratio(4));
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include "conv_bn.h"
#include "razor/model.h"
#include "razor/scriptable.h"
#include "razor/tap.h"
#include "stage_options.h"

namespace razor::models {

struct MobileNetV2Options : razor::Options<MobileNetV2Options> {
  RAZOR_STAGE_OPTIONS;
  RAZOR_STAGE_WIDTHS("output channels of each stage", 16, 24, 32);
  RAZOR_ARG(std::vector<std::int64_t>, repeats, "blocks per stage", std::vector<std::int64_t>{1, 2, 2}).positive();
  RAZOR_ARG(std::int64_t, expand_ratio, "hidden width multiplier (the first stage uses 1)", 4).positive();
  RAZOR_ARG(std::int64_t, last_channels, "width of the final 1x1 convolution", 128).positive();

 public:
  void validate(const ConfigView& cfg) const;
};

class InvertedResidualImpl : public torch::nn::Module, public razor::Scriptable {
 public:
  InvertedResidualImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t stride,
                       std::int64_t expand_ratio);
  at::Tensor forward(at::Tensor x);
  std::string torchscript_forward() const override;

  ConvBn expand{nullptr};  // empty when expand_ratio == 1
  ConvBn depthwise{nullptr}, project{nullptr};
  bool residual;
};
TORCH_MODULE(InvertedResidual);

class MobileNetV2Impl : public razor::Model, public razor::Scriptable {
 public:
  using Options = MobileNetV2Options;
  explicit MobileNetV2Impl(const MobileNetV2Options& options = {});
  at::Tensor forward(const at::Tensor& x) override;
  std::string torchscript_forward() const override;

  MobileNetV2Options options;
  ConvBn stem{nullptr}, last{nullptr};
  torch::nn::Sequential stages{nullptr};  // every block of every stage, in order
  torch::nn::Linear fc{nullptr};
  razor::Taps taps{nullptr};  // see backbone_taps.h
};
TORCH_MODULE(MobileNetV2);

}  // namespace razor::models
