#pragma once
/// Algorithm: what the runner trains. It owns the model and decides what one training step is
/// (plain classification, a sampled subnet, the sandwich rule, student + teacher, ...).
#include <map>
#include <string>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "razor/component.h"
#include "razor/model.h"
#include "razor/mutator.h"

namespace razor {

/// A labelled batch on the run's device.
struct Batch {
  at::Tensor inputs;   // [N, C, H, W] float
  at::Tensor targets;  // [N] int64
};

/// Named scalar losses. The runner logs each and expects them already back-propagated.
using Losses = std::map<std::string, at::Tensor>;

class RAZOR_API Algorithm : public torch::nn::Module, public Component {
 public:
  static constexpr const char* kKind = "algorithm";
  ~Algorithm() override;
  /// Computes the losses of one batch and calls backward on them (as often as the algorithm needs).
  /// The runner drops all gradients before (parameters a step does not use keep none, so the
  /// optimizer leaves them alone) and steps the optimizer after.
  virtual Losses train_step(const Batch& batch) = 0;
  /// Logits for evaluation, from the model as it is configured now.
  virtual at::Tensor predict(const at::Tensor& inputs) = 0;
  /// The network being compressed (what checkpoints and estimators look at).
  virtual Model& model() = 0;
  /// The mutator of a searchable model (NAS, pruning), or nullptr. The run's search and export
  /// stages use it.
  virtual Mutator* mutator();
};

}  // namespace razor
