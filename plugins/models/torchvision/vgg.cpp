#include "torchvision/vgg.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "torchvision/layers.h"

namespace razor::models::torchvision {
namespace {

constexpr std::int64_t M = TorchvisionVggImpl::kMaxPool;
constexpr std::int64_t kPooledSize = 7;  // avgpool's output is 7x7 whatever the input size

}  // namespace

TorchvisionVggImpl::TorchvisionVggImpl(const std::vector<std::int64_t>& layers, const Options& o) : options(o) {
  features = torch::nn::Sequential();
  std::int64_t channels = o.in_channels();
  for (const std::int64_t width : layers) {
    if (width == kMaxPool) {
      features->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
      feature_taps_.push_back("features." + std::to_string(features->size() - 1));
      continue;
    }
    features->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, width, 3).padding(1)));
    features->push_back(torch::nn::BatchNorm2d(width));
    features->push_back(torch::nn::ReLU());
    feature_taps_.insert(feature_taps_.end(), {"", "", "features." + std::to_string(features->size() - 1)});
    channels = width;
  }
  register_module("features", features);
  avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(
                                           torch::nn::AdaptiveAvgPool2dOptions({kPooledSize, kPooledSize})));
  classifier = register_module(
      "classifier",
      torch::nn::Sequential(torch::nn::Linear(channels * kPooledSize * kPooledSize, 4096), torch::nn::ReLU(),
                            torch::nn::Dropout(0.5), torch::nn::Linear(4096, 4096), torch::nn::ReLU(),
                            torch::nn::Dropout(0.5), torch::nn::Linear(4096, o.num_classes())));
  classifier_taps_ = {"", "", "", "", "", "", "classifier.6"};

  std::vector<std::string> names;
  for (const auto& name : feature_taps_)
    if (!name.empty()) names.push_back(name);
  names.insert(names.end(), {"avgpool", "classifier.6"});
  taps = register_module("taps", razor::Taps(names));
}

at::Tensor TorchvisionVggImpl::forward(const at::Tensor& input) {
  at::Tensor x = forward_through_taps(features, feature_taps_, *taps, input);
  x = taps->record("avgpool", avgpool->forward(x).flatten(1));
  return forward_through_taps(classifier, classifier_taps_, *taps, x);
}

Vgg11BnImpl::Vgg11BnImpl(const Options& o)
    : TorchvisionVggImpl({64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M}, o) {}

Vgg16BnImpl::Vgg16BnImpl(const Options& o)
    : TorchvisionVggImpl({64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M}, o) {}

}  // namespace razor::models::torchvision
