#include "relation_losses.h"

#include <ATen/ATen.h>

namespace razor::kd {
namespace {

// Pairwise Euclidean distances of the rows of x, [N, N]: squared distances clamped at 1e-12 before the
// square root (a finite gradient for coincident samples), zero on the diagonal.
at::Tensor pairwise_distances(const at::Tensor& x) {
  const at::Tensor sq = x.pow(2).sum(1);
  const at::Tensor d = (sq.unsqueeze(1) + sq.unsqueeze(0) - 2.0 * at::mm(x, x.t())).clamp_min(1e-12).sqrt();
  return d * (1.0 - at::eye(x.size(0), x.options()));
}

// Cosines of the angle at sample i between samples j and k, for all (i, j, k), flattened.
at::Tensor triplet_angles(const at::Tensor& x) {
  const at::Tensor e = l2_normalize(x.unsqueeze(0) - x.unsqueeze(1), 2);  // e[i][j] = unit(x_j - x_i)
  return at::bmm(e, e.transpose(1, 2)).reshape({-1});
}

at::Tensor smooth_l1(const at::Tensor& a, const at::Tensor& b) {
  return at::smooth_l1_loss(a, b, at::Reduction::Mean, /*beta=*/1.0);
}

}  // namespace

RelationalLoss::RelationalLoss(std::string name, double loss_weight, bool with_l2_norm)
    : KdLoss(std::move(name), kStudentTeacher, loss_weight), with_l2_norm_(with_l2_norm) {}

at::Tensor RelationalLoss::compute(const std::vector<at::Tensor>& args) {
  require_rank(args[0], "preds_S", 2, -1, "[N, D] or [N, ...] (flattened per sample)");
  require_rank(args[1], "preds_T", 2, -1, "[N, D] or [N, ...] (flattened per sample)");
  at::Tensor s = args[0].reshape({args[0].size(0), -1}), t = args[1].reshape({args[1].size(0), -1});
  require_same_dims(s, t, {0}, "batch size (feature sizes may differ)");
  if (with_l2_norm_) {
    s = l2_normalize(s, 1);
    t = l2_normalize(t, 1);
  }
  return relation_loss(s, t);
}

// ---- distance_wise_rkd

DistanceWiseRkd::DistanceWiseRkd(const BuildContext&, const Options& options)
    : RelationalLoss("distance_wise_rkd", options.loss_weight, options.with_l2_norm) {}

at::Tensor DistanceWiseRkd::relation_loss(const at::Tensor& s, const at::Tensor& t) {
  if (s.size(0) < 2) fail("needs a batch of at least 2 samples, got " + shape_of(s));
  const auto scaled = [](const at::Tensor& x) {
    const at::Tensor d = pairwise_distances(x);
    return d / d.masked_select(d > 0).mean();
  };
  return smooth_l1(scaled(s), scaled(t));
}

// ---- angle_wise_rkd

AngleWiseRkd::AngleWiseRkd(const BuildContext&, const Options& options)
    : RelationalLoss("angle_wise_rkd", options.loss_weight, options.with_l2_norm) {}

at::Tensor AngleWiseRkd::relation_loss(const at::Tensor& s, const at::Tensor& t) {
  return smooth_l1(triplet_angles(s), triplet_angles(t));
}

}  // namespace razor::kd
