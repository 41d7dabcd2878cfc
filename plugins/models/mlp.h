#pragma once
/// Mlp: flattened images through fully connected layers with ReLU between them. No batch norm, so
/// its training is a pure function of the data and the seed: the reference model of exact checks
/// (data-parallel runs equal a single process) and a quick baseline for tiny images.
///
/// Example: Mlp net(MlpOptions().in_features(64).hidden({64}).num_classes(10));
#include <cstdint>
#include <string>
#include <vector>

#include <torch/arg.h>
#include <torch/nn/modules/container/sequential.h>

#include "razor/model.h"
#include "razor/scriptable.h"

namespace razor::models {

struct MlpOptions {
  /// Values per image: channels x height x width (64 for 8x8 digits, 784 for 28x28).
  TORCH_ARG(std::int64_t, in_features) = 64;
  TORCH_ARG(std::int64_t, num_classes) = 10;
  /// Width of each hidden layer; empty: a linear classifier.
  TORCH_ARG(std::vector<std::int64_t>, hidden) = std::vector<std::int64_t>{64};
};

class MlpImpl : public razor::Model, public razor::Scriptable {
 public:
  explicit MlpImpl(const MlpOptions& options = {});
  at::Tensor forward(const at::Tensor& x) override;
  std::string torchscript_forward() const override;

  MlpOptions options;
  torch::nn::Sequential layers{nullptr};  // Flatten, then Linear (+ ReLU) per layer
};
TORCH_MODULE(Mlp);

}  // namespace razor::models
