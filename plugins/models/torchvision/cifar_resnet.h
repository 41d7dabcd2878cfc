#pragma once
/// The CIFAR ResNets of He et al. (2016, section 4.2) with torchvision's module names: conv1 (3x3, 16
/// channels, stride 1), bn1, relu, no max-pool, layer1..layer3 of BasicBlocks at 16/32/64 channels
/// (strides 1/2/2, downsample = Sequential(1x1 conv, bn) where the shape changes), avgpool, fc.
/// torchvision has no CIFAR ResNet; these are the layout its ResNet class gives with a 3x3 stem.
///
/// Example: CifarResNet20 net;  // 10 classes, 32x32 colour images
#include "torchvision/resnet.h"

namespace razor::models::torchvision {

struct CifarResNetOptions : razor::Options<CifarResNetOptions> {
  RAZOR_TORCHVISION_OPTIONS(10);
};

/// 6n + 2 layers: n BasicBlocks per stage.
ResNetLayout cifar_resnet_layout(std::int64_t blocks_per_stage);

/// ResNet-20: 3 BasicBlocks per stage.
class CifarResNet20Impl final : public TorchvisionResNetImpl {
 public:
  using Options = CifarResNetOptions;
  explicit CifarResNet20Impl(const Options& options = {});
  Options options;
};
TORCH_MODULE(CifarResNet20);

/// ResNet-56: 9 BasicBlocks per stage.
class CifarResNet56Impl final : public TorchvisionResNetImpl {
 public:
  using Options = CifarResNetOptions;
  explicit CifarResNet56Impl(const Options& options = {});
  Options options;
};
TORCH_MODULE(CifarResNet56);

}  // namespace razor::models::torchvision
