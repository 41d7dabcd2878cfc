#pragma once
/// The shape torchvision's MobileNetV2, MobileNetV3 and VGG share: `features` (a Sequential), `avgpool`
/// (adaptive average pooling), flattened, then `classifier` (a Sequential ending in the logits' Linear).
/// A network builds its two Sequentials and hands them to the constructor, which registers the parts in
/// torchvision's order and the taps: the tapped feature blocks, "avgpool" (pooled and flattened) and
/// the classifier's last child (the model's output).
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/pooling.h>

#include "razor/model.h"
#include "razor/tap.h"

namespace razor::models::torchvision {

class FeaturesClassifierImpl : public razor::Model {
 public:
  /// `feature_taps[i]` names the tap after child i of `features` ("" : none; no names at all: every
  /// child tapped, "features.i"); `pooled_size` is avgpool's output height and width.
  FeaturesClassifierImpl(torch::nn::Sequential features, std::vector<std::string> feature_taps, std::int64_t pooled_size,
                         torch::nn::Sequential classifier);
  at::Tensor forward(const at::Tensor& x) override;

  torch::nn::Sequential features{nullptr};
  torch::nn::AdaptiveAvgPool2d avgpool{nullptr};
  torch::nn::Sequential classifier{nullptr};
  razor::Taps taps{nullptr};

 private:
  std::vector<std::string> feature_taps_, classifier_taps_;
};

}  // namespace razor::models::torchvision
