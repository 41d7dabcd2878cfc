#pragma once
// algorithm/autoslim: trains a slimmable network by the sandwich rule. Each step runs the largest
// subnet (on the labels), the smallest and `num_random` random ones (on the labels and, by in-place
// distillation, on the largest subnet's detached logits), accumulating their gradients for one
// optimizer step. Between steps the model is the largest subnet. The channel mutator's units are the
// search space; a search stage then finds subnets under FLOPs limits.
#include <memory>

#include "razor/algorithm.h"
#include "razor/context.h"
#include "razor/distill_loss.h"
#include "razor/loss.h"
#include "razor/mutator.h"
#include "razor/options.h"

namespace razor::pruning {

struct AutoSlimOptions : Options<AutoSlimOptions> {
  RAZOR_OPTION(Nested<Model>, architecture, "the network whose channel units become slimmable", required);
  RAZOR_OPTION(Nested<Mutator>, mutator, "its search space, e.g. { type = 'channel', input_shape = [1, 28, 28] }",
               required);
  RAZOR_OPTION(Nested<Loss>, loss, "the loss on labels (every subnet)", "{ type = 'cross_entropy' }");
  RAZOR_OPTION(Nested<DistillLoss>, distill_loss,
               "in-place distillation of min and random subnets from the max subnet's detached logits",
               "{ type = 'kl_divergence' }");
  RAZOR_OPTION(std::int64_t, num_random, "random subnets per step besides max and min", 2).non_negative();
};

class AutoSlim final : public Algorithm {
 public:
  using Options = AutoSlimOptions;
  AutoSlim(const BuildContext& ctx, const Options& options);
  Losses train_step(const Batch& batch) override;
  at::Tensor predict(const at::Tensor& inputs) override;
  Model& model() override { return *architecture_; }
  Mutator* mutator() override { return mutator_.get(); }
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

 private:
  std::shared_ptr<Model> architecture_;
  std::shared_ptr<Loss> loss_;
  std::shared_ptr<DistillLoss> distill_;
  std::shared_ptr<Mutator> mutator_;
  std::int64_t num_random_;
  Subnet max_;
};

}  // namespace razor::pruning
