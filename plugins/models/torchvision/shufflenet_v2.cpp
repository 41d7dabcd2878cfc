#include "torchvision/shufflenet_v2.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

namespace razor::models::torchvision {
namespace {

torch::nn::Conv2d pointwise(std::int64_t in, std::int64_t out) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).bias(false));
}

torch::nn::Conv2d depthwise(std::int64_t channels, std::int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(channels, channels, 3).stride(stride).padding(1).groups(channels).bias(false));
}

/// [N, C, H, W] -> [N, groups, C/groups, H, W] -> swap the two channel axes -> [N, C, H, W]: channel i
/// of group g moves to i * groups + g, so the next block's halves mix both branches.
at::Tensor shuffle_channel_groups(const at::Tensor& x, std::int64_t groups) {
  // Only the channel dimension is split and merged, so a traced export keeps any batch and picture size.
  return x.unflatten(1, {groups, x.size(1) / groups}).transpose(1, 2).flatten(1, 2);
}

}  // namespace

ShuffleNetV2BlockImpl::ShuffleNetV2BlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride)
    : stride(stride) {
  const std::int64_t half = out / 2;
  // Stride 1 has an empty branch1, registered all the same, as torchvision's.
  branch1 = torch::nn::Sequential();
  if (stride > 1) {
    branch1 = torch::nn::Sequential(depthwise(in, stride), torch::nn::BatchNorm2d(in), pointwise(in, half),
                                    torch::nn::BatchNorm2d(half), torch::nn::ReLU());
  }
  register_module("branch1", branch1);
  branch2 = register_module(
      "branch2", torch::nn::Sequential(pointwise(stride > 1 ? in : half, half), torch::nn::BatchNorm2d(half),
                                       torch::nn::ReLU(), depthwise(half, stride), torch::nn::BatchNorm2d(half),
                                       pointwise(half, half), torch::nn::BatchNorm2d(half), torch::nn::ReLU()));
}

at::Tensor ShuffleNetV2BlockImpl::forward(at::Tensor x) {
  at::Tensor out;
  if (stride == 1) {
    const auto halves = x.chunk(2, 1);
    out = at::cat({halves[0], branch2->forward(halves[1])}, 1);
  } else {
    out = at::cat({branch1->forward(x), branch2->forward(x)}, 1);
  }
  return shuffle_channel_groups(out, 2);
}

TorchvisionShuffleNetV2Impl::TorchvisionShuffleNetV2Impl(const std::vector<std::int64_t>& repeats,
                                                         const std::vector<std::int64_t>& widths, const Options& o)
    : options(o) {
  conv1 = register_module(
      "conv1", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(o.in_channels(), widths[0], 3)
                                                           .stride(2)
                                                           .padding(1)
                                                           .bias(false)),
                                     torch::nn::BatchNorm2d(widths[0]), torch::nn::ReLU()));
  maxpool = register_module("maxpool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));
  std::vector<std::string> names{"maxpool"};
  std::int64_t channels = widths[0];
  for (std::size_t s = 0; s < repeats.size(); ++s) {
    const std::int64_t out = widths[s + 1];
    torch::nn::Sequential stage(ShuffleNetV2Block(channels, out, 2));
    for (std::int64_t r = 1; r < repeats[s]; ++r) stage->push_back(ShuffleNetV2Block(out, out, 1));
    names.push_back("stage" + std::to_string(s + 2));
    stages.push_back(register_module(names.back(), stage));
    channels = out;
  }
  conv5 = register_module("conv5", torch::nn::Sequential(pointwise(channels, widths.back()),
                                                         torch::nn::BatchNorm2d(widths.back()), torch::nn::ReLU()));
  avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
  fc = register_module("fc", torch::nn::Linear(widths.back(), o.num_classes()));
  names.insert(names.end(), {"conv5", "avgpool", "fc"});
  taps = register_module("taps", razor::Taps(names));
}

at::Tensor TorchvisionShuffleNetV2Impl::forward(const at::Tensor& input) {
  at::Tensor x = taps->record("maxpool", maxpool->forward(conv1->forward(input)));
  for (std::size_t s = 0; s < stages.size(); ++s) x = taps->record(taps->names()[s + 1], stages[s]->forward(x));
  x = taps->record("conv5", conv5->forward(x));
  x = taps->record("avgpool", avgpool->forward(x).flatten(1));
  return taps->record("fc", fc->forward(x));
}

ShuffleNetV2X05Impl::ShuffleNetV2X05Impl(const Options& o)
    : TorchvisionShuffleNetV2Impl({4, 8, 4}, {24, 48, 96, 192, 1024}, o) {}

ShuffleNetV2X10Impl::ShuffleNetV2X10Impl(const Options& o)
    : TorchvisionShuffleNetV2Impl({4, 8, 4}, {24, 116, 232, 464, 1024}, o) {}

}  // namespace razor::models::torchvision
