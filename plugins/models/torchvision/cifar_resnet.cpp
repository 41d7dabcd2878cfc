#include "torchvision/cifar_resnet.h"

namespace razor::models::torchvision {

ResNetLayout cifar_resnet_layout(std::int64_t n) {
  ResNetLayout layout;
  layout.blocks = {n, n, n};
  layout.planes = {16, 32, 64};
  layout.imagenet_stem = false;
  layout.stem_channels = 16;
  return layout;
}

CifarResNet20Impl::CifarResNet20Impl(const Options& o)
    : TorchvisionResNetImpl(cifar_resnet_layout(3), o.in_channels(), o.num_classes()), options(o) {}

CifarResNet56Impl::CifarResNet56Impl(const Options& o)
    : TorchvisionResNetImpl(cifar_resnet_layout(9), o.in_channels(), o.num_classes()), options(o) {}

}  // namespace razor::models::torchvision
