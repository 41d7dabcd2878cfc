#pragma once
// distill_loss/dkd (docs/kd-losses.md).
#include "kd_loss.h"

namespace razor::kd {

struct DkdOptions : Options<DkdOptions> {
  RAZOR_KD_TAU_OPTION;
  RAZOR_OPTION(double, alpha, "weight of the target-class term (TCKD), >= 0", 1.0);
  RAZOR_OPTION(double, beta, "weight of the non-target-class term (NCKD), >= 0", 1.0);
  RAZOR_OPTION(std::string, reduction, "'batchmean' (sum / N), 'sum' or 'mean', for both terms", "batchmean");
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
  void validate(const ConfigView& cfg) const;
};

/// alpha * TCKD + beta * NCKD: KL of the binary (target, rest) split plus KL among the non-target classes.
class DkdLoss final : public KdLoss {
 public:
  using Options = DkdOptions;
  DkdLoss(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_, alpha_, beta_;
  Reduction reduction_;
};

}  // namespace razor::kd
