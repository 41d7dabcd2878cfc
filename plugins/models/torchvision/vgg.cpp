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

namespace {

// Conv (with bias), bn, relu per layer; a max-pool at each kMaxPool.
torch::nn::Sequential vgg_features(const std::vector<std::int64_t>& layers, std::int64_t in_channels) {
  torch::nn::Sequential features;
  std::int64_t channels = in_channels;
  for (const std::int64_t width : layers) {
    if (width == M) {
      features->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
      continue;
    }
    features->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, width, 3).padding(1)));
    features->push_back(torch::nn::BatchNorm2d(width));
    features->push_back(torch::nn::ReLU());
    channels = width;
  }
  return features;
}

// Those features tapped after each ReLU and each max-pool.
std::vector<std::string> vgg_taps(const std::vector<std::int64_t>& layers) {
  std::vector<std::string> taps;
  for (const std::int64_t width : layers) {
    if (width != M) taps.insert(taps.end(), {"", ""});
    taps.push_back("features." + std::to_string(taps.size()));
  }
  return taps;
}

std::int64_t last_width(const std::vector<std::int64_t>& layers) {
  for (auto it = layers.rbegin(); it != layers.rend(); ++it)
    if (*it != M) return *it;
  return 0;
}

}  // namespace

TorchvisionVggImpl::TorchvisionVggImpl(const std::vector<std::int64_t>& layers, const Options& o)
    : FeaturesClassifierImpl(vgg_features(layers, o.in_channels()), vgg_taps(layers), kPooledSize,
                             torch::nn::Sequential(torch::nn::Linear(last_width(layers) * kPooledSize * kPooledSize, 4096),
                                                   torch::nn::ReLU(), torch::nn::Dropout(0.5), torch::nn::Linear(4096, 4096),
                                                   torch::nn::ReLU(), torch::nn::Dropout(0.5),
                                                   torch::nn::Linear(4096, o.num_classes()))),
      options(o) {}

Vgg11BnImpl::Vgg11BnImpl(const Options& o)
    : TorchvisionVggImpl({64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M}, o) {}

Vgg16BnImpl::Vgg16BnImpl(const Options& o)
    : TorchvisionVggImpl({64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M}, o) {}

}  // namespace razor::models::torchvision
