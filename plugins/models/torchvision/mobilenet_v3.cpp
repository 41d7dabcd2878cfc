#include "torchvision/mobilenet_v3.h"

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

namespace razor::models::torchvision {
namespace {

// BatchNorm2d(eps=0.001, momentum=0.01) throughout, as torchvision's MobileNetV3.
ConvNormActOptions v3_block(std::int64_t in, std::int64_t out, std::int64_t kernel, Activation activation) {
  return ConvNormActOptions(in, out, kernel).activation(activation).bn_eps(1e-3).bn_momentum(0.01);
}

// The paper's rows: in, kernel, expanded, out, squeeze-excite, hardswish (else ReLU), stride.
const std::vector<MobileNetV3BlockSetting> kSmall = {
    {16, 3, 16, 16, true, false, 2},   {16, 3, 72, 24, false, false, 2}, {24, 3, 88, 24, false, false, 1},
    {24, 5, 96, 40, true, true, 2},    {40, 5, 240, 40, true, true, 1},  {40, 5, 240, 40, true, true, 1},
    {40, 5, 120, 48, true, true, 1},   {48, 5, 144, 48, true, true, 1},  {48, 5, 288, 96, true, true, 2},
    {96, 5, 576, 96, true, true, 1},   {96, 5, 576, 96, true, true, 1}};
const std::vector<MobileNetV3BlockSetting> kLarge = {
    {16, 3, 16, 16, false, false, 1},    {16, 3, 64, 24, false, false, 2},    {24, 3, 72, 24, false, false, 1},
    {24, 5, 72, 40, true, false, 2},     {40, 5, 120, 40, true, false, 1},    {40, 5, 120, 40, true, false, 1},
    {40, 3, 240, 80, false, true, 2},    {80, 3, 200, 80, false, true, 1},    {80, 3, 184, 80, false, true, 1},
    {80, 3, 184, 80, false, true, 1},    {80, 3, 480, 112, true, true, 1},    {112, 3, 672, 112, true, true, 1},
    {112, 5, 672, 160, true, true, 2},   {160, 5, 960, 160, true, true, 1},   {160, 5, 960, 160, true, true, 1}};

MobileNetV3BlockSetting scaled(MobileNetV3BlockSetting s, double width_mult) {
  s.in_channels = make_divisible(static_cast<double>(s.in_channels) * width_mult);
  s.expanded_channels = make_divisible(static_cast<double>(s.expanded_channels) * width_mult);
  s.out_channels = make_divisible(static_cast<double>(s.out_channels) * width_mult);
  return s;
}

}  // namespace

SqueezeExcitationImpl::SqueezeExcitationImpl(std::int64_t channels, std::int64_t squeeze_channels) {
  avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
  fc1 = register_module("fc1", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, squeeze_channels, 1)));
  fc2 = register_module("fc2", torch::nn::Conv2d(torch::nn::Conv2dOptions(squeeze_channels, channels, 1)));
  activation = register_module("activation", torch::nn::ReLU());
  scale_activation = register_module("scale_activation", Hardsigmoid());
}

at::Tensor SqueezeExcitationImpl::forward(at::Tensor x) {
  const at::Tensor scale = scale_activation->forward(fc2->forward(activation->forward(fc1->forward(avgpool->forward(x)))));
  return scale * x;
}

MobileNetV3BlockImpl::MobileNetV3BlockImpl(const MobileNetV3BlockSetting& s)
    : residual(s.stride == 1 && s.in_channels == s.out_channels) {
  const Activation act = s.hardswish ? Activation::hardswish : Activation::relu;
  const std::int64_t expanded = s.expanded_channels;
  block = torch::nn::Sequential();
  if (expanded != s.in_channels) block->push_back(ConvNormAct(v3_block(s.in_channels, expanded, 1, act)));
  block->push_back(ConvNormAct(v3_block(expanded, expanded, s.kernel_size, act).stride(s.stride).groups(expanded)));
  if (s.squeeze_excite) block->push_back(SqueezeExcitation(expanded, make_divisible(static_cast<double>(expanded / 4))));
  block->push_back(ConvNormAct(v3_block(expanded, s.out_channels, 1, Activation::none)));
  register_module("block", block);
}

at::Tensor MobileNetV3BlockImpl::forward(at::Tensor x) { return residual ? block->forward(x) + x : block->forward(x); }

namespace {

torch::nn::Sequential mobilenet_v3_features(const std::vector<MobileNetV3BlockSetting>& blocks,
                                            const TorchvisionMobileNetV3Options& o) {
  const double w = o.width_mult();
  const std::int64_t first = make_divisible(static_cast<double>(blocks.front().in_channels) * w);
  torch::nn::Sequential features(ConvNormAct(v3_block(o.in_channels(), first, 3, Activation::hardswish).stride(2)));
  for (const auto& setting : blocks) features->push_back(MobileNetV3Block(scaled(setting, w)));
  const std::int64_t last_in = scaled(blocks.back(), w).out_channels;
  features->push_back(ConvNormAct(v3_block(last_in, 6 * last_in, 1, Activation::hardswish)));
  return features;
}

// classifier.0 Linear to `last_channels` (times the multiplier), .1 hardswish, .2 dropout, .3 the logits.
torch::nn::Sequential mobilenet_v3_classifier(const std::vector<MobileNetV3BlockSetting>& blocks,
                                              std::int64_t last_channels, const TorchvisionMobileNetV3Options& o) {
  const std::int64_t last_in = scaled(blocks.back(), o.width_mult()).out_channels;
  const std::int64_t hidden = make_divisible(static_cast<double>(last_channels) * o.width_mult());
  return torch::nn::Sequential(torch::nn::Linear(6 * last_in, hidden), Hardswish(), torch::nn::Dropout(0.2),
                               torch::nn::Linear(hidden, o.num_classes()));
}

}  // namespace

TorchvisionMobileNetV3Impl::TorchvisionMobileNetV3Impl(const std::vector<MobileNetV3BlockSetting>& blocks,
                                                       std::int64_t last_channels, const Options& o)
    : FeaturesClassifierImpl(mobilenet_v3_features(blocks, o), {}, 1, mobilenet_v3_classifier(blocks, last_channels, o)),
      options(o) {}

MobileNetV3SmallImpl::MobileNetV3SmallImpl(const Options& o) : TorchvisionMobileNetV3Impl(kSmall, 1024, o) {}

MobileNetV3LargeImpl::MobileNetV3LargeImpl(const Options& o) : TorchvisionMobileNetV3Impl(kLarge, 1280, o) {}

}  // namespace razor::models::torchvision
