#pragma once
// Losses between feature maps or feature vectors (preds_S, preds_T): channel_wise_divergence (CWD),
// l2 (FitNets hints), l1, attention_transfer (AT) and pkd (Pearson correlation on normalised maps).
#include "kd_loss.h"

namespace razor::kd {

struct ChannelWiseDivergenceOptions : Options<ChannelWiseDivergenceOptions> {
  RAZOR_KD_TAU_OPTION;
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
  void validate(const ConfigView& cfg) const;
};

/// Per channel, softmax over the H*W positions; tau^2 * sum KL(p_T || p_S) / (N * C).
class ChannelWiseDivergence final : public KdLoss {
 public:
  using Options = ChannelWiseDivergenceOptions;
  ChannelWiseDivergence(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_;
};

struct L2Options : Options<L2Options> {
  RAZOR_OPTION(bool, normalize, "L2-normalise each sample's flattened features first", true);
  RAZOR_OPTION(double, mult, "scale of the normalised features, > 0 (with normalize)", 1.0);
  RAZOR_OPTION(bool, div_element, "divide by the number of elements instead of N", false);
  RAZOR_OPTION(bool, dist, "return the Euclidean distance (square root of the sum), no division", false);
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
  void validate(const ConfigView& cfg) const;
};

/// Sum of squared differences (optionally of per-sample L2-normalised features) / N, / numel, or its sqrt.
class L2Loss final : public KdLoss {
 public:
  using Options = L2Options;
  L2Loss(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  bool normalize_, div_element_, dist_;
  double mult_;
};

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
