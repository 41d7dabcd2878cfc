#pragma once
// distill_loss/l1 (docs/kd-losses.md).
#include "kd_loss.h"

namespace razor::kd {

struct L1Options : Options<L1Options> {
  RAZOR_OPTION(std::string, reduction, "'mean' or 'sum' over all elements", "mean");
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
  void validate(const ConfigView& cfg) const;
};

/// Mean (or sum) absolute difference.
class L1Loss final : public KdLoss {
 public:
  using Options = L1Options;
  L1Loss(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  Reduction reduction_;
};

}  // namespace razor::kd
