#pragma once
// Losses between feature maps or feature vectors (preds_S, preds_T): channel_wise_divergence (CWD),
// l2 (FitNets hints), l1, attention_transfer (AT) and pkd (Pearson correlation on normalised maps).
#include "kd_loss.h"

namespace razor::kd {

/// Per channel, softmax over the H*W positions; tau^2 * sum KL(p_T || p_S) / (N * C).
class ChannelWiseDivergence final : public KdLoss {
 public:
  explicit ChannelWiseDivergence(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_;
};

/// Sum of squared differences (optionally of per-sample L2-normalised features) / N, / numel, or its sqrt.
class L2Loss final : public KdLoss {
 public:
  explicit L2Loss(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  bool normalize_, div_element_, dist_;
  double mult_;
};

/// Mean (or sum) absolute difference.
class L1Loss final : public KdLoss {
 public:
  explicit L1Loss(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  Reduction reduction_;
};

/// Mean squared difference of the L2-normalised attention maps mean_c(x^2); channels may differ.
class AttentionTransferLoss final : public KdLoss {
 public:
  explicit AttentionTransferLoss(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
};

/// Half the MSE of the maps normalised per channel (zero mean, unit std over N*H*W), after a bilinear
/// resize when the spatial sizes differ.
class PkdLoss final : public KdLoss {
 public:
  explicit PkdLoss(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  bool resize_stu_;
};

}  // namespace razor::kd
