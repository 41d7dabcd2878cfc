#pragma once
// distill_loss/angle_wise_rkd (docs/kd-losses.md).
#include "relational_loss.h"

namespace razor::kd {

struct AngleWiseRkdOptions : Options<AngleWiseRkdOptions> {
  RAZOR_KD_WITH_L2_NORM_OPTION;
  RAZOR_KD_LOSS_WEIGHT_OPTION(50.0);
};

/// Smooth-L1 between the cosines of the angles (x_j - x_i, x_k - x_i) over all triplets.
class AngleWiseRkd final : public RelationalLoss {
 public:
  using Options = AngleWiseRkdOptions;
  AngleWiseRkd(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor relation_loss(const at::Tensor& s, const at::Tensor& t) override;
};

}  // namespace razor::kd
