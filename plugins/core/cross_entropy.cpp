#include "cross_entropy.h"

#include <torch/nn/functional/loss.h>

namespace razor::core {

CrossEntropyLoss::CrossEntropyLoss(const BuildContext&, const Options& options)
    : label_smoothing_(options.label_smoothing) {}

at::Tensor CrossEntropyLoss::forward(const at::Tensor& logits, const at::Tensor& labels) {
  namespace F = torch::nn::functional;
  return F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().label_smoothing(label_smoothing_));
}

}  // namespace razor::core
