#pragma once
/// torchvision's ResNet (0.14) with its module names: conv1, bn1, relu, maxpool, layer1..layer4 of
/// BasicBlock or Bottleneck (conv1/bn1/conv2/bn2[/conv3/bn3], downsample.0 conv, downsample.1 bn),
/// avgpool, fc. So a PyTorch `resnet18().state_dict()` loads by name (razor::load_state_dict).
///
/// Example: ResNet18 net(TorchvisionResNetOptions().num_classes(10));
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include "razor/model.h"
#include "razor/tap.h"
#include "torchvision/options.h"

namespace razor::models::torchvision {

struct TorchvisionResNetOptions : razor::Options<TorchvisionResNetOptions> {
  RAZOR_TORCHVISION_OPTIONS(1000);
};

/// Two 3x3 convolutions; the first strides. Output channels: planes.
class BasicBlockImpl : public torch::nn::Module {
 public:
  static constexpr std::int64_t kExpansion = 1;
  BasicBlockImpl(std::int64_t in_channels, std::int64_t planes, std::int64_t stride);
  at::Tensor forward(at::Tensor x);

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::ReLU relu{nullptr};
  torch::nn::Sequential downsample{nullptr};  // empty for an identity shortcut
};
TORCH_MODULE(BasicBlock);

/// 1x1 reduce, 3x3 (strides, as torchvision's "ResNet v1.5"), 1x1 expand. Output channels: 4 * planes.
class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr std::int64_t kExpansion = 4;
  BottleneckImpl(std::int64_t in_channels, std::int64_t planes, std::int64_t stride);
  at::Tensor forward(at::Tensor x);

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::ReLU relu{nullptr};
  torch::nn::Sequential downsample{nullptr};  // empty for an identity shortcut
};
TORCH_MODULE(Bottleneck);

/// What tells ResNet depths and the ImageNet and CIFAR variants apart.
struct ResNetLayout {
  bool bottleneck = false;            // Bottleneck blocks, else BasicBlock
  std::vector<std::int64_t> blocks;   // blocks per stage (layer1, layer2, ...)
  std::vector<std::int64_t> planes;   // planes per stage; the first stage has stride 1, the others 2
  bool imagenet_stem = true;          // 7x7/2 conv + 3x3/2 max-pool, else a 3x3/1 conv and no pool
  std::int64_t stem_channels = 64;
};

/// The network of a layout. Taps: "maxpool" (ImageNet stem) or "relu" (CIFAR stem), "layer1"...,
/// "avgpool" (pooled and flattened), "fc" (the logits).
class TorchvisionResNetImpl : public razor::Model {
 public:
  TorchvisionResNetImpl(const ResNetLayout& layout, std::int64_t in_channels, std::int64_t num_classes);
  at::Tensor forward(const at::Tensor& x) override;

  ResNetLayout layout;
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::ReLU relu{nullptr};
  torch::nn::MaxPool2d maxpool{nullptr};  // ImageNet stem only
  std::vector<torch::nn::Sequential> layers;  // registered as layer1, layer2, ...
  torch::nn::AdaptiveAvgPool2d avgpool{nullptr};
  torch::nn::Linear fc{nullptr};
  razor::Taps taps{nullptr};
};

/// torchvision.models.resnet18: BasicBlock, [2, 2, 2, 2].
class ResNet18Impl final : public TorchvisionResNetImpl {
 public:
  using Options = TorchvisionResNetOptions;
  explicit ResNet18Impl(const Options& options = {});
  Options options;
};
TORCH_MODULE(ResNet18);

/// torchvision.models.resnet34: BasicBlock, [3, 4, 6, 3].
class ResNet34Impl final : public TorchvisionResNetImpl {
 public:
  using Options = TorchvisionResNetOptions;
  explicit ResNet34Impl(const Options& options = {});
  Options options;
};
TORCH_MODULE(ResNet34);

/// torchvision.models.resnet50: Bottleneck, [3, 4, 6, 3].
class ResNet50Impl final : public TorchvisionResNetImpl {
 public:
  using Options = TorchvisionResNetOptions;
  explicit ResNet50Impl(const Options& options = {});
  Options options;
};
TORCH_MODULE(ResNet50);

}  // namespace razor::models::torchvision
