#include "distance_wise_rkd.h"

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

}  // namespace

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

}  // namespace razor::kd
