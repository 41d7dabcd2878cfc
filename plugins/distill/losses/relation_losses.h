#pragma once
// Relational KD (RKD): losses between the structures of a batch rather than between samples.
// distance_wise_rkd compares the pairwise distances, angle_wise_rkd the angles of sample triplets;
// preds_S and preds_T are [N, ...] (flattened per sample) and may differ in feature size.
#include "kd_loss.h"

namespace razor::kd {

/// Base of both: flattens, optionally L2-normalises each sample, checks the batch sizes agree.
class RelationalLoss : public KdLoss {
 protected:
  RelationalLoss(std::string name, double loss_weight, bool with_l2_norm);
  at::Tensor compute(const std::vector<at::Tensor>& args) final;
  /// Smooth-L1 between the relations of the prepared [N, D_S] and [N, D_T] features.
  virtual at::Tensor relation_loss(const at::Tensor& s, const at::Tensor& t) = 0;

 private:
  bool with_l2_norm_;
};

#define RAZOR_KD_WITH_L2_NORM_OPTION \
  RAZOR_OPTION(bool, with_l2_norm, "L2-normalise each sample's features first", true)

struct DistanceWiseRkdOptions : Options<DistanceWiseRkdOptions> {
  RAZOR_KD_WITH_L2_NORM_OPTION;
  RAZOR_KD_LOSS_WEIGHT_OPTION(25.0);
};

/// Smooth-L1 between the pairwise distance matrices, each divided by its mean non-zero distance.
class DistanceWiseRkd final : public RelationalLoss {
 public:
  using Options = DistanceWiseRkdOptions;
  DistanceWiseRkd(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor relation_loss(const at::Tensor& s, const at::Tensor& t) override;
};

struct AngleWiseRkdOptions : Options<AngleWiseRkdOptions> {
  RAZOR_KD_WITH_L2_NORM_OPTION;
  RAZOR_KD_LOSS_WEIGHT_OPTION(50.0);
};

/// Smooth-L1 between the cosines of the angles (x_j - x_i, x_k - x_i) over all triplets.
class AngleWiseRkd final : public RelationalLoss {
 public:
  using Options = AngleWiseRkdOptions;
  AngleWiseRkd(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor relation_loss(const at::Tensor& s, const at::Tensor& t) override;
};

}  // namespace razor::kd
