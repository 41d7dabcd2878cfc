#include "torchvision/resnet.h"

#include <memory>

#include <ATen/ATen.h>

namespace razor::models::torchvision {
namespace {

torch::nn::Conv2d conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding((kernel - 1) / 2).bias(false));
}

/// torchvision's shortcut when a block changes the shape: Sequential(1x1 conv, bn), so the names
/// are downsample.0 and downsample.1.
torch::nn::Sequential downsample_if_needed(std::int64_t in, std::int64_t out, std::int64_t stride) {
  if (stride == 1 && in == out) return torch::nn::Sequential(nullptr);
  return torch::nn::Sequential(conv(in, out, 1, stride), torch::nn::BatchNorm2d(out));
}

/// `blocks` blocks, the first with `stride`; `in` becomes the stage's output channels.
template <class BlockImpl>
torch::nn::Sequential make_layer(std::int64_t& in, std::int64_t planes, std::int64_t blocks, std::int64_t stride) {
  torch::nn::Sequential layer;
  for (std::int64_t b = 0; b < blocks; ++b) {
    layer->push_back(std::make_shared<BlockImpl>(in, planes, b == 0 ? stride : 1));
    in = planes * BlockImpl::kExpansion;
  }
  return layer;
}

std::vector<std::string> tap_names(const ResNetLayout& layout) {
  std::vector<std::string> names{layout.imagenet_stem ? "maxpool" : "relu"};
  for (std::size_t s = 0; s < layout.blocks.size(); ++s) names.push_back("layer" + std::to_string(s + 1));
  names.emplace_back("avgpool");
  names.emplace_back("fc");
  return names;
}

}  // namespace

// Registration order is torchvision's, so named_parameters() lists the state_dict's order.
BasicBlockImpl::BasicBlockImpl(std::int64_t in, std::int64_t planes, std::int64_t stride) {
  conv1 = register_module("conv1", conv(in, planes, 3, stride));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(planes));
  relu = register_module("relu", torch::nn::ReLU());
  conv2 = register_module("conv2", conv(planes, planes, 3, 1));
  bn2 = register_module("bn2", torch::nn::BatchNorm2d(planes));
  if (auto shortcut = downsample_if_needed(in, planes * kExpansion, stride)) {
    downsample = register_module("downsample", shortcut);
  }
}

at::Tensor BasicBlockImpl::forward(at::Tensor x) {
  const at::Tensor identity = downsample ? downsample->forward(x) : x;
  at::Tensor out = relu->forward(bn1->forward(conv1->forward(x)));
  out = bn2->forward(conv2->forward(out));
  return relu->forward(out + identity);
}

BottleneckImpl::BottleneckImpl(std::int64_t in, std::int64_t planes, std::int64_t stride) {
  conv1 = register_module("conv1", conv(in, planes, 1, 1));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, stride));
  bn2 = register_module("bn2", torch::nn::BatchNorm2d(planes));
  conv3 = register_module("conv3", conv(planes, planes * kExpansion, 1, 1));
  bn3 = register_module("bn3", torch::nn::BatchNorm2d(planes * kExpansion));
  relu = register_module("relu", torch::nn::ReLU());
  if (auto shortcut = downsample_if_needed(in, planes * kExpansion, stride)) {
    downsample = register_module("downsample", shortcut);
  }
}

at::Tensor BottleneckImpl::forward(at::Tensor x) {
  const at::Tensor identity = downsample ? downsample->forward(x) : x;
  at::Tensor out = relu->forward(bn1->forward(conv1->forward(x)));
  out = relu->forward(bn2->forward(conv2->forward(out)));
  out = bn3->forward(conv3->forward(out));
  return relu->forward(out + identity);
}

TorchvisionResNetImpl::TorchvisionResNetImpl(const ResNetLayout& l, std::int64_t in_channels,
                                             std::int64_t num_classes)
    : layout(l) {
  conv1 = register_module("conv1", l.imagenet_stem ? torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, l.stem_channels, 7)
                                                                           .stride(2)
                                                                           .padding(3)
                                                                           .bias(false))
                                                   : conv(in_channels, l.stem_channels, 3, 1));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(l.stem_channels));
  relu = register_module("relu", torch::nn::ReLU());
  if (l.imagenet_stem) {
    maxpool = register_module("maxpool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));
  }
  std::int64_t channels = l.stem_channels;
  for (std::size_t s = 0; s < l.blocks.size(); ++s) {
    const std::int64_t stride = s == 0 ? 1 : 2;
    auto layer = l.bottleneck ? make_layer<BottleneckImpl>(channels, l.planes[s], l.blocks[s], stride)
                              : make_layer<BasicBlockImpl>(channels, l.planes[s], l.blocks[s], stride);
    layers.push_back(register_module("layer" + std::to_string(s + 1), layer));
  }
  avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
  fc = register_module("fc", torch::nn::Linear(channels, num_classes));
  taps = register_module("taps", razor::Taps(tap_names(l)));
}

at::Tensor TorchvisionResNetImpl::forward(const at::Tensor& input) {
  at::Tensor x = relu->forward(bn1->forward(conv1->forward(input)));
  if (maxpool) x = maxpool->forward(x);
  x = taps->record(taps->names()[0], x);
  for (std::size_t s = 0; s < layers.size(); ++s) x = taps->record(taps->names()[s + 1], layers[s]->forward(x));
  x = taps->record("avgpool", avgpool->forward(x).flatten(1));
  return taps->record("fc", fc->forward(x));
}

ResNet18Impl::ResNet18Impl(const Options& o)
    : TorchvisionResNetImpl({false, {2, 2, 2, 2}, {64, 128, 256, 512}}, o.in_channels(), o.num_classes()), options(o) {}

ResNet34Impl::ResNet34Impl(const Options& o)
    : TorchvisionResNetImpl({false, {3, 4, 6, 3}, {64, 128, 256, 512}}, o.in_channels(), o.num_classes()), options(o) {}

ResNet50Impl::ResNet50Impl(const Options& o)
    : TorchvisionResNetImpl({true, {3, 4, 6, 3}, {64, 128, 256, 512}}, o.in_channels(), o.num_classes()), options(o) {}

}  // namespace razor::models::torchvision
