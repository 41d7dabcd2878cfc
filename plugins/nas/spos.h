#pragma once
// algorithm/spos: Single Path One-Shot NAS. Supernet mode trains one uniformly sampled path per step;
// retrain mode fixes the subnet of a subnet.toml (only the chosen ops remain) and trains it, from
// scratch or from the supernet's weights.
#include <memory>
#include <string>

#include "razor/algorithm.h"
#include "razor/context.h"
#include "razor/loss.h"
#include "razor/mutator.h"

namespace razor::nas {

struct SposOptions : Options<SposOptions> {
  RAZOR_OPTION(Nested<Model>, architecture, "the supernet (a model with one-shot mutables)", required);
  RAZOR_OPTION(Nested<Loss>, loss, "criterion between logits and labels", "{ type = 'cross_entropy' }");
  RAZOR_OPTION(Nested<Mutator>, mutator, "finds and groups the supernet's choices", "{ type = 'nas' }");
  RAZOR_OPTION(std::string, subnet, "retrain mode: a subnet.toml whose choices are fixed before training", "").file_path();
  RAZOR_OPTION(std::string, init_weights,
               "retrain mode: supernet weights (a model.pt) loaded before fixing; empty = from scratch", "")
      .file_path();
};

class Spos final : public Algorithm {
 public:
  using Options = SposOptions;
  Spos(const BuildContext& ctx, const Options& options);
  Losses forward_losses(const Batch& batch) override;
  at::Tensor predict(const at::Tensor& inputs) override;
  Model& model() override { return *architecture_; }
  Mutator* mutator() override { return mutator_.get(); }
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

  bool retraining() const { return retraining_; }
  /// The path validation uses between training steps in supernet mode (drawn once from the seed).
  const Subnet& validation_path() const { return validation_path_; }

 private:
  std::shared_ptr<Model> architecture_;
  std::shared_ptr<Loss> loss_;
  std::shared_ptr<Mutator> mutator_;
  bool retraining_ = false;
  Subnet validation_path_;
};

}  // namespace razor::nas
