#pragma once
/// ResNet with basic blocks for small images: a 3x3 stem without max-pooling, then stages of
/// residual blocks whose widths, depths and strides come from the options.
///
/// Example: ResNet net(ResNetOptions().in_channels(3).widths({16, 32, 64}).blocks({2, 2, 2}));
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

struct ResNetOptions : razor::Options<ResNetOptions> {
  RAZOR_STAGE_OPTIONS;
  RAZOR_STAGE_WIDTHS("output channels of each stage", 16, 32, 64);
  RAZOR_ARG(std::vector<std::int64_t>, blocks, "basic blocks per stage", std::vector<std::int64_t>{1, 1, 1}).positive();

 public:
  void validate(const ConfigView& cfg) const;
};

/// Two 3x3 ConvBn with an identity (or 1x1 ConvBn projection) shortcut.
class BasicBlockImpl : public torch::nn::Module, public razor::Scriptable {
 public:
  BasicBlockImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t stride);
  at::Tensor forward(at::Tensor x);
  std::string torchscript_forward() const override;

  ConvBn conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};  // shortcut empty for identity
};
TORCH_MODULE(BasicBlock);

class ResNetImpl : public razor::Model, public razor::Scriptable {
 public:
  using Options = ResNetOptions;
  explicit ResNetImpl(const ResNetOptions& options = {});
  at::Tensor forward(const at::Tensor& x) override;
  std::string torchscript_forward() const override;

  ResNetOptions options;
  ConvBn stem{nullptr};
  torch::nn::Sequential stages{nullptr};  // every block of every stage, in order
  torch::nn::Linear fc{nullptr};
  razor::Taps taps{nullptr};  // see backbone_taps.h
};
TORCH_MODULE(ResNet);

}  // namespace razor::models
