#pragma once
// Connectors of the distill plugin: small adapters, trained with the student, that map a recorded
// feature to the shape (or scale) of its counterpart before a distillation loss compares them.
//   conv_bn: 1x1 convolution + batch norm ([N, C, H, W] channels in -> out)
//   linear:  fully connected ([N, in] -> [N, out])
//   norm:    batch norm without new channels ([N, C] or [N, C, H, W])
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "razor/connector.h"
#include "razor/context.h"
#include "razor/plugin.h"

namespace razor::distill {

class ConvBnConnector final : public Connector {
 public:
  explicit ConvBnConnector(const BuildContext& ctx);
  at::Tensor forward(const at::Tensor& feature) override;

 private:
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};

class LinearConnector final : public Connector {
 public:
  explicit LinearConnector(const BuildContext& ctx);
  at::Tensor forward(const at::Tensor& feature) override;

 private:
  torch::nn::Linear linear_{nullptr};
};

class NormConnector final : public Connector {
 public:
  explicit NormConnector(const BuildContext& ctx);
  at::Tensor forward(const at::Tensor& feature) override;

 private:
  torch::nn::BatchNorm2d bn_{nullptr};
};

ComponentInfo conv_bn_connector_info();
ComponentInfo linear_connector_info();
ComponentInfo norm_connector_info();

}  // namespace razor::distill
