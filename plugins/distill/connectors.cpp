#include "connectors.h"

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::distill {
namespace {

std::int64_t positive(const ConfigView& config, const std::string& key) {
  const auto value = config.get<std::int64_t>(key);
  if (value <= 0) config.fail(key, fmt::format("must be positive, got {}", value));
  return value;
}

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

ConvBnConnector::ConvBnConnector(const BuildContext& ctx) {
  const auto in = positive(ctx.config(), "in_channels");
  const auto out = positive(ctx.config(), "out_channels");
  conv_ = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).bias(false)));
  bn_ = register_module("bn", torch::nn::BatchNorm2d(out));
}

at::Tensor ConvBnConnector::forward(const at::Tensor& feature) {
  check_channels("conv_bn", feature, 4, conv_->options.in_channels());
  return bn_->forward(conv_->forward(feature));
}

LinearConnector::LinearConnector(const BuildContext& ctx) {
  linear_ = register_module("linear", torch::nn::Linear(positive(ctx.config(), "in_features"),
                                                        positive(ctx.config(), "out_features")));
}

at::Tensor LinearConnector::forward(const at::Tensor& feature) {
  check_channels("linear", feature, 2, linear_->options.in_features());
  return linear_->forward(feature);
}

NormConnector::NormConnector(const BuildContext& ctx) {
  bn_ = register_module("bn", torch::nn::BatchNorm2d(
                                  torch::nn::BatchNorm2dOptions(positive(ctx.config(), "channels"))
                                      .affine(ctx.config().get<bool>("affine"))));
}

at::Tensor NormConnector::forward(const at::Tensor& feature) {
  check_channels("norm", feature, 0, bn_->options.num_features());
  if (feature.dim() == 4) return bn_->forward(feature);
  return bn_->forward(feature.unsqueeze(-1).unsqueeze(-1)).flatten(1);  // [N, C] as [N, C, 1, 1]
}

ComponentInfo conv_bn_connector_info() {
  return {"connector", "conv_bn", "1x1 convolution + batch norm: maps [N, in, H, W] to [N, out, H, W] (FitNets' regressor)",
          {{"in_channels", "int", nullptr, "channels of the recorded feature"},
           {"out_channels", "int", nullptr, "channels of its counterpart"}},
          &make_component<ConvBnConnector>};
}

ComponentInfo linear_connector_info() {
  return {"connector", "linear", "Fully connected layer: maps [N, in] to [N, out]",
          {{"in_features", "int", nullptr, "features of the recorded tensor"},
           {"out_features", "int", nullptr, "features of its counterpart"}},
          &make_component<LinearConnector>};
}

ComponentInfo norm_connector_info() {
  return {"connector", "norm", "Batch normalisation of a [N, C] or [N, C, H, W] feature (same shape out)",
          {{"channels", "int", nullptr, "C"}, {"affine", "bool", "true", "learn a scale and shift per channel"}},
          &make_component<NormConnector>};
}

}  // namespace razor::distill
