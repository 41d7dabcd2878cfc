#pragma once
// Connectors of the distill plugin: small adapters, trained with the student, that map a recorded
// feature to the shape (or scale) of its counterpart before a distillation loss compares them.
//   conv_bn: 1x1 convolution + batch norm ([N, C, H, W] channels in -> out)
//   linear:  fully connected ([N, in] -> [N, out])
//   norm:    batch norm without new channels ([N, C] or [N, C, H, W])
#include <cstdint>

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "razor/connector.h"
#include "razor/context.h"
#include "razor/plugin.h"

namespace razor::distill {

struct ConvBnConnectorOptions : Options<ConvBnConnectorOptions> {
  RAZOR_OPTION(std::int64_t, in_channels, "channels of the recorded feature", required).positive();
  RAZOR_OPTION(std::int64_t, out_channels, "channels of its counterpart", required).positive();
};

class ConvBnConnector final : public Connector {
 public:
  using Options = ConvBnConnectorOptions;
  ConvBnConnector(const BuildContext& ctx, const Options& options);
  at::Tensor forward(const at::Tensor& feature) override;

 private:
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};

struct LinearConnectorOptions : Options<LinearConnectorOptions> {
  RAZOR_OPTION(std::int64_t, in_features, "features of the recorded tensor", required).positive();
  RAZOR_OPTION(std::int64_t, out_features, "features of its counterpart", required).positive();
};

class LinearConnector final : public Connector {
 public:
  using Options = LinearConnectorOptions;
  LinearConnector(const BuildContext& ctx, const Options& options);
  at::Tensor forward(const at::Tensor& feature) override;

 private:
  torch::nn::Linear linear_{nullptr};
};

struct NormConnectorOptions : Options<NormConnectorOptions> {
  RAZOR_OPTION(std::int64_t, channels, "C", required).positive();
  RAZOR_OPTION(bool, affine, "learn a scale and shift per channel", true);
};

class NormConnector final : public Connector {
 public:
  using Options = NormConnectorOptions;
  NormConnector(const BuildContext& ctx, const Options& options);
  at::Tensor forward(const at::Tensor& feature) override;

 private:
  torch::nn::BatchNorm2d bn_{nullptr};
};

}  // namespace razor::distill
