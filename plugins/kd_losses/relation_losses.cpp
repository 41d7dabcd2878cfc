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

RelationalLoss::RelationalLoss(const BuildContext& ctx, std::string name)
    : KdLoss(ctx, std::move(name), kStudentTeacher), with_l2_norm_(ctx.config().get<bool>("with_l2_norm")) {}

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

DistanceWiseRkd::DistanceWiseRkd(const BuildContext& ctx) : RelationalLoss(ctx, "distance_wise_rkd") {}

at::Tensor DistanceWiseRkd::relation_loss(const at::Tensor& s, const at::Tensor& t) {
  if (s.size(0) < 2) fail("needs a batch of at least 2 samples, got " + shape_of(s));
  const auto scaled = [](const at::Tensor& x) {
    const at::Tensor d = pairwise_distances(x);
    return d / d.masked_select(d > 0).mean();
  };
  return smooth_l1(scaled(s), scaled(t));
}

ComponentInfo DistanceWiseRkd::info() {
  return {DistillLoss::kKind,
          "distance_wise_rkd",
          "RKD distance: smooth-L1 between the batch's pairwise distances, each scaled by its mean",
          {{"with_l2_norm", "bool", "true", "L2-normalise each sample's features first"}, loss_weight_option("25.0")},
          &make_component<DistanceWiseRkd>};
}

// ---- angle_wise_rkd

AngleWiseRkd::AngleWiseRkd(const BuildContext& ctx) : RelationalLoss(ctx, "angle_wise_rkd") {}

at::Tensor AngleWiseRkd::relation_loss(const at::Tensor& s, const at::Tensor& t) {
  return smooth_l1(triplet_angles(s), triplet_angles(t));
}

ComponentInfo AngleWiseRkd::info() {
  return {DistillLoss::kKind,
          "angle_wise_rkd",
          "RKD angle: smooth-L1 between the cosines of the angles formed by every triplet of samples",
          {{"with_l2_norm", "bool", "true", "L2-normalise each sample's features first"}, loss_weight_option("50.0")},
          &make_component<AngleWiseRkd>};
}

}  // namespace razor::kd
