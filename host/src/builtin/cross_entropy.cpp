#include "builtin/cross_entropy.h"

#include <torch/nn/functional/loss.h>

namespace razor::host {

CrossEntropyLoss::CrossEntropyLoss(const BuildContext& ctx)
    : label_smoothing_(ctx.config().get<double>("label_smoothing")) {
  if (label_smoothing_ < 0.0 || label_smoothing_ >= 1.0) {
    ctx.config().fail("label_smoothing", "must be in [0, 1)");
  }
}

at::Tensor CrossEntropyLoss::forward(const at::Tensor& logits, const at::Tensor& labels) {
  namespace F = torch::nn::functional;
  return F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().label_smoothing(label_smoothing_));
}

ComponentInfo cross_entropy_info() {
  return {"loss",
          "cross_entropy",
          "Softmax cross-entropy between logits and integer labels",
          {{"label_smoothing", "float", "0.0", "probability mass spread evenly over all classes, in [0, 1)"}},
          &make_component<CrossEntropyLoss>};
}

}  // namespace razor::host
