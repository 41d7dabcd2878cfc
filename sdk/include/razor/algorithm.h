#pragma once
/// Algorithm: what the runner trains. It owns the model and decides what one training step is
/// (plain classification, a sampled subnet, the sandwich rule, student + teacher, ...).
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "razor/batch.h"
#include "razor/component.h"
#include "razor/model.h"
#include "razor/mutator.h"

namespace razor {

class RAZOR_API Algorithm : public torch::nn::Module, public Component {
 public:
  static constexpr const char* kKind = "algorithm";
  ~Algorithm() override;
  /// Computes the losses of one batch and calls backward on them (as often as the algorithm needs);
  /// returns them detached, for the log. The runner drops all gradients before (parameters a step
  /// does not use keep none, so the optimizer leaves them alone) and steps the optimizer after.
  /// Default: forward_losses(), then one backward through the sum of its "loss" terms.
  virtual Losses train_step(const Batch& batch);
  /// The losses of one batch from a single forward pass, not yet back-propagated. Algorithms of that
  /// shape (classifier, SPOS) override only this; composite algorithms (distillation) call it and
  /// add their own terms before the backward. Default: throws razor::Error (the algorithm takes
  /// several passes per step, like the sandwich rule, and cannot be nested).
  virtual Losses forward_losses(const Batch& batch);
  /// Logits for evaluation, from the model as it is configured now.
  virtual at::Tensor predict(const at::Tensor& inputs) = 0;
  /// The network being compressed (what checkpoints and estimators look at).
  virtual Model& model() = 0;
  /// The mutator of a searchable model (NAS, pruning), or nullptr. The run's search and export
  /// stages use it.
  virtual Mutator* mutator();
  /// The model that guides training without being the one compressed (a distillation teacher), or
  /// nullptr. The runner reports its validation accuracy before training starts.
  virtual Model* teacher();
};

}  // namespace razor
