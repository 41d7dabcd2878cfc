#pragma once
/// torchvision's VGG with batch norm (0.14), configurations A (vgg11_bn) and D (vgg16_bn), with its
/// module names: features.N (conv with bias, bn, relu per layer; max-pools between stages), avgpool
/// (adaptive, to 7x7, so any input of at least 32x32 works), classifier.0/3/6 Linear with ReLU and
/// dropout between them.
///
/// Example: Vgg16Bn net(TorchvisionVggOptions().num_classes(10));
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/pooling.h>

#include "torchvision/features_classifier.h"
#include "torchvision/options.h"

namespace razor::models::torchvision {

struct TorchvisionVggOptions : razor::Options<TorchvisionVggOptions> {
  RAZOR_TORCHVISION_OPTIONS(1000);
};

/// Taps: "features.N" after each ReLU and each max-pool, "avgpool" (pooled and flattened, 512 * 7 * 7
/// values), "classifier.6" (the logits).
class TorchvisionVggImpl : public FeaturesClassifierImpl {
 public:
  using Options = TorchvisionVggOptions;
  /// `layers`: output channels of each 3x3 conv in order, kMaxPool where a 2x2 max-pool goes.
  TorchvisionVggImpl(const std::vector<std::int64_t>& layers, const Options& options);

  static constexpr std::int64_t kMaxPool = 0;

  Options options;
};

/// torchvision.models.vgg11_bn: configuration A, 8 convolutions.
class Vgg11BnImpl final : public TorchvisionVggImpl {
 public:
  explicit Vgg11BnImpl(const Options& options = {});
};
TORCH_MODULE(Vgg11Bn);

/// torchvision.models.vgg16_bn: configuration D, 13 convolutions.
class Vgg16BnImpl final : public TorchvisionVggImpl {
 public:
  explicit Vgg16BnImpl(const Options& options = {});
};
TORCH_MODULE(Vgg16Bn);

}  // namespace razor::models::torchvision
