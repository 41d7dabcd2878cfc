#pragma once
/// Distiller: reads recorded student and teacher features and turns them into distillation losses.
#include <torch/nn/module.h>

#include "razor/algorithm.h"
#include "razor/component.h"
#include "razor/model.h"

namespace razor {

class RAZOR_API Distiller : public torch::nn::Module, public Component {
 public:
  static constexpr const char* kKind = "distiller";
  ~Distiller() override;
  virtual void prepare(Model& student, Model& teacher) = 0;
  /// Losses from what the recorders captured in the last student and teacher forward passes.
  virtual Losses compute_losses() = 0;
};

}  // namespace razor
