#pragma once
/// ShuffleNetV2 for small images: each stage opens with a two-branch unit (stride from the options)
/// and continues with channel-split units; branch outputs are concatenated and channel-shuffled.
///
/// Example: ShuffleNetV2 net(ShuffleNetV2Options().widths({32, 64, 128}).repeats({2, 2, 2}));
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

struct ShuffleNetV2Options : razor::Options<ShuffleNetV2Options> {
  RAZOR_STAGE_OPTIONS;
  RAZOR_STAGE_WIDTHS("output channels of each stage (even)", 32, 64, 128);
  RAZOR_ARG(std::vector<std::int64_t>, repeats, "units per stage", std::vector<std::int64_t>{2, 2, 2}).positive();
  RAZOR_ARG(std::int64_t, last_channels, "width of the final 1x1 convolution", 256).positive();

 public:
  void validate(const ConfigView& cfg) const;
};

/// Interleaves the channels of `groups` equal groups: [a0 a1 | b0 b1] -> [a0 b0 a1 b1].
at::Tensor shuffle_channels(const at::Tensor& x, std::int64_t groups);

/// One ShuffleNetV2 unit. With `split` (stride 1, in == out) half the channels pass through and the
/// other half goes through 1x1 -> depthwise kxk -> 1x1; otherwise both branches see the whole input,
/// the shortcut being depthwise kxk (stride) -> 1x1.
class ShuffleUnitImpl : public torch::nn::Module, public razor::Scriptable {
 public:
  ShuffleUnitImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t stride,
                  std::int64_t kernel_size = 3);
  at::Tensor forward(at::Tensor x);
  std::string torchscript_forward() const override;

  bool split;
  torch::nn::Sequential branch{nullptr}, shortcut{nullptr};  // shortcut empty when split
};
TORCH_MODULE(ShuffleUnit);

/// The Xception-style unit of the SPOS search space ("choice_x"): split and shortcut as in
/// ShuffleUnit (shortcut depthwise 3x3), but the branch is three times depthwise 3x3 -> 1x1 + ReLU,
/// the stride on the first depthwise convolution.
class ShuffleXceptionImpl : public torch::nn::Module, public razor::Scriptable {
 public:
  ShuffleXceptionImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t stride);
  at::Tensor forward(at::Tensor x);
  std::string torchscript_forward() const override;

  bool split;
  torch::nn::Sequential branch{nullptr}, shortcut{nullptr};  // shortcut empty when split
};
TORCH_MODULE(ShuffleXception);

class ShuffleNetV2Impl : public razor::Model, public razor::Scriptable {
 public:
  using Options = ShuffleNetV2Options;
  explicit ShuffleNetV2Impl(const ShuffleNetV2Options& options = {});
  at::Tensor forward(const at::Tensor& x) override;
  std::string torchscript_forward() const override;

  ShuffleNetV2Options options;
  ConvBn stem{nullptr}, last{nullptr};
  torch::nn::Sequential stages{nullptr};  // every block of every stage, in order
  torch::nn::Linear fc{nullptr};
  razor::Taps taps{nullptr};  // see backbone_taps.h
};
TORCH_MODULE(ShuffleNetV2);

}  // namespace razor::models
