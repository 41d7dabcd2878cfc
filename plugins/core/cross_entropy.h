#pragma once
// loss/cross_entropy: softmax cross-entropy against integer labels, with optional label smoothing.
#include "razor/context.h"
#include "razor/loss.h"
#include "razor/plugin.h"

namespace razor::core {

struct CrossEntropyOptions : Options<CrossEntropyOptions> {
  RAZOR_OPTION(double, label_smoothing, "probability mass spread evenly over all classes, in [0, 1)", 0.0)
      .in_range_open(0.0, 1.0);
};

class CrossEntropyLoss final : public Loss {
 public:
  using Options = CrossEntropyOptions;
  CrossEntropyLoss(const BuildContext& ctx, const Options& options);
  at::Tensor forward(const at::Tensor& logits, const at::Tensor& labels) override;

 private:
  double label_smoothing_;
};

}  // namespace razor::core
