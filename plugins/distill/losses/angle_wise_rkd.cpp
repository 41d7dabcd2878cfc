#include "angle_wise_rkd.h"

#include <ATen/ATen.h>

namespace razor::kd {
namespace {

// Cosines of the angle at sample i between samples j and k, for all (i, j, k), flattened.
at::Tensor triplet_angles(const at::Tensor& x) {
  const at::Tensor e = l2_normalize(x.unsqueeze(0) - x.unsqueeze(1), 2);  // e[i][j] = unit(x_j - x_i)
  return at::bmm(e, e.transpose(1, 2)).reshape({-1});
}

}  // namespace

AngleWiseRkd::AngleWiseRkd(const BuildContext&, const Options& options)
    : RelationalLoss("angle_wise_rkd", options.loss_weight, options.with_l2_norm) {}

at::Tensor AngleWiseRkd::relation_loss(const at::Tensor& s, const at::Tensor& t) {
  return smooth_l1(triplet_angles(s), triplet_angles(t));
}

}  // namespace razor::kd
