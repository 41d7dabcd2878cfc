#pragma once
// algorithm/classifier: plain supervised training of one model with one loss (the baseline).
#include <memory>

#include "razor/algorithm.h"
#include "razor/context.h"
#include "razor/loss.h"
#include "razor/plugin.h"

namespace razor::core {

struct ClassifierOptions : Options<ClassifierOptions> {
  RAZOR_OPTION(Nested<Model>, architecture, "the network to train", required);
  RAZOR_OPTION(Nested<Loss>, loss, "criterion between logits and labels", "{ type = 'cross_entropy' }");
};

class Classifier final : public Algorithm {
 public:
  using Options = ClassifierOptions;
  Classifier(const BuildContext& ctx, const Options& options);
  Losses forward_losses(const Batch& batch) override;
  at::Tensor predict(const at::Tensor& inputs) override;
  Model& model() override { return *architecture_; }

 private:
  std::shared_ptr<Model> architecture_;
  std::shared_ptr<Loss> loss_;
};

}  // namespace razor::core
