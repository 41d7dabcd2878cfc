#pragma once
// distill_loss/dist (docs/kd-losses.md).
#include "kd_loss.h"

namespace razor::kd {

struct DistOptions : Options<DistOptions> {
  RAZOR_KD_TAU_OPTION;
  RAZOR_OPTION(double, inter_loss_weight, "weight of the inter-class (per sample) relation, >= 0", 1.0);
  RAZOR_OPTION(double, intra_loss_weight, "weight of the intra-class (per class, across the batch) relation, >= 0",
               1.0);
  RAZOR_KD_TEACHER_DETACH_OPTION;
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
  void validate(const ConfigView& cfg) const;
};

/// tau^2 * (inter * (1 - mean Pearson over samples) + intra * (1 - mean Pearson over classes)).
class DistLoss final : public KdLoss {
 public:
  using Options = DistOptions;
  DistLoss(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_, inter_weight_, intra_weight_;
  bool teacher_detach_;
};

}  // namespace razor::kd
