#pragma once
// distill_loss/distance_wise_rkd (docs/kd-losses.md).
#include "relational_loss.h"

namespace razor::kd {

struct DistanceWiseRkdOptions : Options<DistanceWiseRkdOptions> {
  RAZOR_KD_WITH_L2_NORM_OPTION;
  RAZOR_KD_LOSS_WEIGHT_OPTION(25.0);
};

/// Smooth-L1 between the pairwise distance matrices, each divided by its mean non-zero distance.
class DistanceWiseRkd final : public RelationalLoss {
 public:
  using Options = DistanceWiseRkdOptions;
  DistanceWiseRkd(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor relation_loss(const at::Tensor& s, const at::Tensor& t) override;
};

}  // namespace razor::kd
