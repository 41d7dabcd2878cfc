#pragma once
// distill_loss/kd_soft_ce (docs/kd-losses.md).
#include "kd_loss.h"

namespace razor::kd {

struct KdSoftCeOptions : Options<KdSoftCeOptions> {
  RAZOR_KD_TAU_OPTION;
  RAZOR_OPTION(std::string, reduction, "'mean' or 'sum' over the samples", "mean");
  RAZOR_OPTION(bool, mult_tem_square, "multiply by tau^2", true);
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
  void validate(const ConfigView& cfg) const;
};

/// Soft-label cross-entropy -sum softmax(T/tau) * log_softmax(S/tau), per sample, reduced; times tau^2.
class KdSoftCeLoss final : public KdLoss {
 public:
  using Options = KdSoftCeOptions;
  KdSoftCeLoss(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_;
  Reduction reduction_;
  bool mult_tau_square_;
};

}  // namespace razor::kd
