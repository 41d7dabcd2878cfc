#include "torchvision/mobilenet_v2.h"

#include <algorithm>

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "torchvision/layers.h"

namespace razor::models::torchvision {
namespace {

struct StageSetting {
  std::int64_t expand_ratio, channels, repeats, stride;
};

// The paper's Table 2, as torchvision's default inverted_residual_setting.
const std::vector<StageSetting> kStages = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2},  {6, 64, 4, 2},
                                           {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};

ConvNormActOptions relu6_block(std::int64_t in, std::int64_t out, std::int64_t kernel) {
  return ConvNormActOptions(in, out, kernel).activation(Activation::relu6);
}

}  // namespace

MobileNetV2BlockImpl::MobileNetV2BlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride,
                                           std::int64_t expand_ratio)
    : residual(stride == 1 && in == out) {
  const std::int64_t hidden = in * expand_ratio;
  conv = torch::nn::Sequential();
  if (expand_ratio != 1) conv->push_back(ConvNormAct(relu6_block(in, hidden, 1)));
  conv->push_back(ConvNormAct(relu6_block(hidden, hidden, 3).stride(stride).groups(hidden)));
  conv->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden, out, 1).bias(false)));
  conv->push_back(torch::nn::BatchNorm2d(out));
  register_module("conv", conv);
}

at::Tensor MobileNetV2BlockImpl::forward(at::Tensor x) { return residual ? x + conv->forward(x) : conv->forward(x); }

namespace {

std::int64_t last_channels(const TorchvisionMobileNetV2Options& o) { return make_divisible(1280 * std::max(1.0, o.width_mult())); }

torch::nn::Sequential mobilenet_v2_features(const TorchvisionMobileNetV2Options& o) {
  const double w = o.width_mult();
  std::int64_t channels = make_divisible(32 * w);
  torch::nn::Sequential features(ConvNormAct(relu6_block(o.in_channels(), channels, 3).stride(2)));
  for (const auto& stage : kStages) {
    const std::int64_t out = make_divisible(static_cast<double>(stage.channels) * w);
    for (std::int64_t i = 0; i < stage.repeats; ++i) {
      features->push_back(MobileNetV2Block(channels, out, i == 0 ? stage.stride : 1, stage.expand_ratio));
      channels = out;
    }
  }
  features->push_back(ConvNormAct(relu6_block(channels, last_channels(o), 1)));
  return features;
}

}  // namespace

TorchvisionMobileNetV2Impl::TorchvisionMobileNetV2Impl(const Options& o)
    : FeaturesClassifierImpl(mobilenet_v2_features(o), {}, 1,
                             torch::nn::Sequential(torch::nn::Dropout(0.2), torch::nn::Linear(last_channels(o), o.num_classes()))),
      options(o) {}

}  // namespace razor::models::torchvision
