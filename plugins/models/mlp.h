#pragma once
/// Mlp: flattened images through fully connected layers with ReLU between them. No batch norm, so
/// its training is a pure function of the data and the seed: the reference model of exact checks
/// (data-parallel runs equal a single process) and a quick baseline for tiny images.
///
/// Example: Mlp net(MlpOptions().in_features(64).hidden({64}).num_classes(10));
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/modules/container/sequential.h>

#include "razor/model.h"
#include "razor/options.h"
#include "razor/scriptable.h"

namespace razor::models {

struct MlpOptions : razor::Options<MlpOptions> {
  RAZOR_ARG(std::int64_t, in_features, "values per image: channels x height x width (64 for 8x8 digits)", 64)
      .positive();
  RAZOR_ARG(std::int64_t, num_classes, "output logits", 10).positive();
  RAZOR_ARG(std::vector<std::int64_t>, hidden, "width of each hidden layer ([] = a linear classifier)",
            std::vector<std::int64_t>{64})
      .positive();
};

class MlpImpl : public razor::Model, public razor::Scriptable {
 public:
  using Options = MlpOptions;
  explicit MlpImpl(const MlpOptions& options = {});
  at::Tensor forward(const at::Tensor& x) override;
  std::string torchscript_forward() const override;

  MlpOptions options;
  torch::nn::Sequential layers{nullptr};  // Flatten, then Linear (+ ReLU) per layer
};
TORCH_MODULE(Mlp);

}  // namespace razor::models
