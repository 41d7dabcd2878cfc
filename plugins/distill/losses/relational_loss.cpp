#include "relational_loss.h"

#include <ATen/ATen.h>

namespace razor::kd {

at::Tensor smooth_l1(const at::Tensor& a, const at::Tensor& b) {
  return at::smooth_l1_loss(a, b, at::Reduction::Mean, /*beta=*/1.0);
}

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

}  // namespace razor::kd
