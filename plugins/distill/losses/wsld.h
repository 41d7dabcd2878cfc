#pragma once
// distill_loss/wsld (docs/kd-losses.md).
#include "kd_loss.h"

namespace razor::kd {

struct WsldOptions : Options<WsldOptions> {
  RAZOR_KD_TAU_OPTION;
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
  void validate(const ConfigView& cfg) const;
};

/// Soft cross-entropy weighted per sample by 1 - exp(-CE_S / CE_T) (hard-label CEs, no gradient).
class WsldLoss final : public KdLoss {
 public:
  using Options = WsldOptions;
  WsldLoss(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_;
};

}  // namespace razor::kd
