#pragma once
// distill_loss/pkd (docs/kd-losses.md).
#include "kd_loss.h"

namespace razor::kd {

struct PkdOptions : Options<PkdOptions> {
  RAZOR_OPTION(bool, resize_stu, "when H, W differ: resize the student's maps to the teacher's (false: the teacher's "
               "to the student's)", true);
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
};

/// Half the MSE of the maps normalised per channel (zero mean, unit std over N*H*W), after a bilinear
/// resize when the spatial sizes differ.
class PkdLoss final : public KdLoss {
 public:
  using Options = PkdOptions;
  PkdLoss(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  bool resize_stu_;
};

}  // namespace razor::kd
