#include "dist.h"

#include <ATen/ATen.h>

namespace razor::kd {

void DistOptions::validate(const ConfigView& cfg) const {
  check_positive(cfg, "tau", tau);
  check_non_negative(cfg, "inter_loss_weight", inter_loss_weight);
  check_non_negative(cfg, "intra_loss_weight", intra_loss_weight);
}

DistLoss::DistLoss(const BuildContext&, const Options& options)
    : KdLoss("dist", kStudentTeacher, options.loss_weight),
      tau_(options.tau),
      inter_weight_(options.inter_loss_weight),
      intra_weight_(options.intra_loss_weight),
      teacher_detach_(options.teacher_detach) {}

namespace {

// Mean over rows of the Pearson correlation between rows of a and b.
at::Tensor mean_pearson(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor ac = a - a.mean(1, true), bc = b - b.mean(1, true);
  return ((ac * bc).sum(1) / (ac.norm(2, 1) * bc.norm(2, 1) + 1e-8)).mean();
}

}  // namespace

at::Tensor DistLoss::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 2, 2, kLogits);
  const at::Tensor t = teacher_detach_ ? args[1].detach() : args[1];
  const at::Tensor ys = at::softmax(args[0] / tau_, 1), yt = at::softmax(t / tau_, 1);
  const at::Tensor inter = 1.0 - mean_pearson(ys, yt);          // per sample, across classes
  const at::Tensor intra = 1.0 - mean_pearson(ys.t(), yt.t());  // per class, across the batch
  return (inter_weight_ * inter + intra_weight_ * intra) * (tau_ * tau_);
}

}  // namespace razor::kd
