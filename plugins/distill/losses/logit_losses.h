#pragma once
// Losses between class logits (preds_S, preds_T as [N, C], some also gt_labels [N]): kl_divergence (KD),
// dkd (decoupled KD), wsld (weighted soft labels), dist (inter/intra-class correlation), kd_soft_ce.
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
