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
#include "razor/plugin.h"

namespace razor::pruning {

class AutoSlim final : public Algorithm {
 public:
  explicit AutoSlim(const BuildContext& ctx);
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

ComponentInfo autoslim_info();

}  // namespace razor::pruning
