#pragma once
/// DistillLoss: a distillation criterion over named tensors (student and teacher features, labels).
/// arguments() names what forward takes; a distiller maps recorded tensors to those names and
/// checks the mapping when it is built. The result is the weighted scalar loss.
///
/// Example: kl->forward({student_logits, teacher_logits})  // arguments() == {"preds_S", "preds_T"}
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "razor/component.h"

namespace razor {

class RAZOR_API DistillLoss : public torch::nn::Module, public Component {
 public:
  static constexpr const char* kKind = "distill_loss";
  ~DistillLoss() override;
  /// The argument names, in the order forward() takes them.
  virtual std::vector<std::string> arguments() const = 0;
  /// `args` in the order of arguments(); throws razor::Error on shapes it cannot compare.
  virtual at::Tensor forward(const std::vector<at::Tensor>& args) = 0;
};

}  // namespace razor
