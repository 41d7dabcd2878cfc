#pragma once
// algorithm/classifier: plain supervised training of one model with one loss (the baseline).
#include <memory>

#include "razor/algorithm.h"
#include "razor/context.h"
#include "razor/loss.h"
#include "razor/plugin.h"

namespace razor::host {

class Classifier final : public Algorithm {
 public:
  explicit Classifier(const BuildContext& ctx);
  Losses forward_losses(const Batch& batch) override;
  at::Tensor predict(const at::Tensor& inputs) override;
  Model& model() override { return *architecture_; }

 private:
  std::shared_ptr<Model> architecture_;
  std::shared_ptr<Loss> loss_;
};

ComponentInfo classifier_info();

}  // namespace razor::host
