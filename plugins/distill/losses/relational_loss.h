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

/// Mean smooth-L1 (beta 1) between two relation tensors of the same shape.
at::Tensor smooth_l1(const at::Tensor& a, const at::Tensor& b);

}  // namespace razor::kd
