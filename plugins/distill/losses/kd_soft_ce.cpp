#include "kd_soft_ce.h"

#include <ATen/ATen.h>

namespace razor::kd {

void KdSoftCeOptions::validate(const ConfigView& cfg) const {
  check_positive(cfg, "tau", tau);
  check_reduction(cfg, reduction, {"mean", "sum"});
}

KdSoftCeLoss::KdSoftCeLoss(const BuildContext&, const Options& options)
    : KdLoss("kd_soft_ce", kStudentTeacher, options.loss_weight),
      tau_(options.tau),
      reduction_(to_reduction(options.reduction)),
      mult_tau_square_(options.mult_tem_square) {}

at::Tensor KdSoftCeLoss::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 2, 2, kLogits);
  const at::Tensor per_sample = -(at::softmax(args[1] / tau_, 1) * at::log_softmax(args[0] / tau_, 1)).sum(1);
  const at::Tensor loss = reduce(per_sample, reduction_);
  return mult_tau_square_ ? loss * (tau_ * tau_) : loss;
}

}  // namespace razor::kd
