#pragma once
// Losses between class logits (preds_S, preds_T as [N, C], some also gt_labels [N]): kl_divergence (KD),
// dkd (decoupled KD), wsld (weighted soft labels), dist (inter/intra-class correlation), kd_soft_ce.
#include "kd_loss.h"

namespace razor::kd {

/// tau^2 * KL(softmax(T/tau) || softmax(S/tau)) over dim 1, reduced.
class KlDivergence final : public KdLoss {
 public:
  explicit KlDivergence(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_;
  Reduction reduction_;
  bool teacher_detach_;
};

/// alpha * TCKD + beta * NCKD: KL of the binary (target, rest) split plus KL among the non-target classes.
class DkdLoss final : public KdLoss {
 public:
  explicit DkdLoss(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_, alpha_, beta_;
  Reduction reduction_;
};

/// Soft cross-entropy weighted per sample by 1 - exp(-CE_S / CE_T) (hard-label CEs, no gradient).
class WsldLoss final : public KdLoss {
 public:
  explicit WsldLoss(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_;
};

/// tau^2 * (inter * (1 - mean Pearson over samples) + intra * (1 - mean Pearson over classes)).
class DistLoss final : public KdLoss {
 public:
  explicit DistLoss(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_, inter_weight_, intra_weight_;
  bool teacher_detach_;
};

/// Soft-label cross-entropy -sum softmax(T/tau) * log_softmax(S/tau), per sample, reduced; times tau^2.
class KdSoftCeLoss final : public KdLoss {
 public:
  explicit KdSoftCeLoss(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_;
  Reduction reduction_;
  bool mult_tau_square_;
};

}  // namespace razor::kd
