#pragma once
// distill_loss/attention_transfer (docs/kd-losses.md).
#include "kd_loss.h"

namespace razor::kd {

struct AttentionTransferOptions : Options<AttentionTransferOptions> {
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
};

/// Mean squared difference of the L2-normalised attention maps mean_c(x^2); channels may differ.
class AttentionTransferLoss final : public KdLoss {
 public:
  using Options = AttentionTransferOptions;
  AttentionTransferLoss(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
};

}  // namespace razor::kd
