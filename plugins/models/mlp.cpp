#include "mlp.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/linear.h>

namespace razor::models {

MlpImpl::MlpImpl(const MlpOptions& o) : options(o) {
  layers = register_module("layers", torch::nn::Sequential(torch::nn::Flatten()));
  std::int64_t features = o.in_features();
  for (std::int64_t width : o.hidden()) {
    layers->push_back(torch::nn::Linear(features, width));
    layers->push_back(torch::nn::ReLU());
    features = width;
  }
  layers->push_back(torch::nn::Linear(features, o.num_classes()));
}

at::Tensor MlpImpl::forward(const at::Tensor& x) { return layers->forward(x); }

std::string MlpImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    return self.layers.forward(x)\n";
}

}  // namespace razor::models
