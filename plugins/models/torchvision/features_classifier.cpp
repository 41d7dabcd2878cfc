#include "torchvision/features_classifier.h"

#include "torchvision/layers.h"

namespace razor::models::torchvision {

FeaturesClassifierImpl::FeaturesClassifierImpl(torch::nn::Sequential f, std::vector<std::string> feature_taps,
                                               std::int64_t pooled_size, torch::nn::Sequential c)
    : feature_taps_(std::move(feature_taps)) {
  features = register_module("features", std::move(f));
  if (feature_taps_.empty())
    for (std::size_t i = 0; i < features->size(); ++i) feature_taps_.push_back("features." + std::to_string(i));
  avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(
                                           torch::nn::AdaptiveAvgPool2dOptions({pooled_size, pooled_size})));
  classifier = register_module("classifier", std::move(c));
  classifier_taps_.assign(classifier->size(), "");
  classifier_taps_.back() = "classifier." + std::to_string(classifier->size() - 1);
  std::vector<std::string> names;
  for (const auto& name : feature_taps_)
    if (!name.empty()) names.push_back(name);
  names.insert(names.end(), {"avgpool", classifier_taps_.back()});
  taps = register_module("taps", razor::Taps(names));
}

at::Tensor FeaturesClassifierImpl::forward(const at::Tensor& input) {
  at::Tensor x = forward_through_taps(features, feature_taps_, *taps, input);
  x = taps->record("avgpool", avgpool->forward(x).flatten(1));
  return forward_through_taps(classifier, classifier_taps_, *taps, x);
}

}  // namespace razor::models::torchvision
