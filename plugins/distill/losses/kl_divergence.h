#pragma once
// distill_loss/kl_divergence (docs/kd-losses.md).
#include "kd_loss.h"

namespace razor::kd {

struct KlDivergenceOptions : Options<KlDivergenceOptions> {
  RAZOR_KD_TAU_OPTION;
  RAZOR_OPTION(std::string, reduction, "'batchmean' (sum / N), 'sum' or 'mean' (sum / number of elements)",
               "batchmean");
  RAZOR_KD_TEACHER_DETACH_OPTION;
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
  void validate(const ConfigView& cfg) const;
};

/// tau^2 * KL(softmax(T/tau) || softmax(S/tau)) over dim 1, reduced.
class KlDivergence final : public KdLoss {
 public:
  using Options = KlDivergenceOptions;
  KlDivergence(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_;
  Reduction reduction_;
  bool teacher_detach_;
};

}  // namespace razor::kd
