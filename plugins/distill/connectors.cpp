#include "connectors.h"

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::distill {
namespace {

/// The feature's size along dim 1 must be what the connector was built for.
void check_channels(const char* connector, const at::Tensor& feature, std::int64_t rank, std::int64_t channels) {
  const bool rank_ok = rank == 0 ? (feature.dim() == 2 || feature.dim() == 4) : feature.dim() == rank;
  if (!rank_ok || feature.size(1) != channels) {
    throw Error(fmt::format("connector {}: got a feature of shape {}, expected {} with {} channels", connector,
                            fmt::format("[{}]", fmt::join(feature.sizes(), ", ")),
                            rank == 0 ? "[N, C] or [N, C, H, W]" : (rank == 4 ? "[N, C, H, W]" : "[N, C]"), channels));
  }
}

}  // namespace

ConvBnConnector::ConvBnConnector(const BuildContext&, const Options& options) {
  conv_ = register_module(
      "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(options.in_channels, options.out_channels, 1).bias(false)));
  bn_ = register_module("bn", torch::nn::BatchNorm2d(options.out_channels));
}

at::Tensor ConvBnConnector::forward(const at::Tensor& feature) {
  check_channels("conv_bn", feature, 4, conv_->options.in_channels());
  return bn_->forward(conv_->forward(feature));
}

LinearConnector::LinearConnector(const BuildContext&, const Options& options) {
  linear_ = register_module("linear", torch::nn::Linear(options.in_features, options.out_features));
}

at::Tensor LinearConnector::forward(const at::Tensor& feature) {
  check_channels("linear", feature, 2, linear_->options.in_features());
  return linear_->forward(feature);
}

NormConnector::NormConnector(const BuildContext&, const Options& options) {
  bn_ = register_module("bn", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(options.channels).affine(options.affine)));
}

at::Tensor NormConnector::forward(const at::Tensor& feature) {
  check_channels("norm", feature, 0, bn_->options.num_features());
  if (feature.dim() == 4) return bn_->forward(feature);
  return bn_->forward(feature.unsqueeze(-1).unsqueeze(-1)).flatten(1);  // [N, C] as [N, C, 1, 1]
}

}  // namespace razor::distill
