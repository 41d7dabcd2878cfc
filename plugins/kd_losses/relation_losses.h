#pragma once
// Relational KD (RKD): losses between the structures of a batch rather than between samples.
// distance_wise_rkd compares the pairwise distances, angle_wise_rkd the angles of sample triplets;
// preds_S and preds_T are [N, ...] (flattened per sample) and may differ in feature size.
#include "kd_loss.h"

namespace razor::kd {

/// Base of both: flattens, optionally L2-normalises each sample, checks the batch sizes agree.
class RelationalLoss : public KdLoss {
 protected:
  RelationalLoss(const BuildContext& ctx, std::string name);
  at::Tensor compute(const std::vector<at::Tensor>& args) final;
  /// Smooth-L1 between the relations of the prepared [N, D_S] and [N, D_T] features.
  virtual at::Tensor relation_loss(const at::Tensor& s, const at::Tensor& t) = 0;

 private:
  bool with_l2_norm_;
};

/// Smooth-L1 between the pairwise distance matrices, each divided by its mean non-zero distance.
class DistanceWiseRkd final : public RelationalLoss {
 public:
  explicit DistanceWiseRkd(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor relation_loss(const at::Tensor& s, const at::Tensor& t) override;
};

/// Smooth-L1 between the cosines of the angles (x_j - x_i, x_k - x_i) over all triplets.
class AngleWiseRkd final : public RelationalLoss {
 public:
  explicit AngleWiseRkd(const BuildContext& ctx);
  static ComponentInfo info();

 private:
  at::Tensor relation_loss(const at::Tensor& s, const at::Tensor& t) override;
};

}  // namespace razor::kd
