#pragma once
// loss/cross_entropy: softmax cross-entropy against integer labels, with optional label smoothing.
#include "razor/context.h"
#include "razor/loss.h"
#include "razor/plugin.h"

namespace razor::host {

class CrossEntropyLoss final : public Loss {
 public:
  explicit CrossEntropyLoss(const BuildContext& ctx);
  at::Tensor forward(const at::Tensor& logits, const at::Tensor& labels) override;

 private:
  double label_smoothing_;
};

ComponentInfo cross_entropy_info();

}  // namespace razor::host
