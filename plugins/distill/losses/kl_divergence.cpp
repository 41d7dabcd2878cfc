#include "kl_divergence.h"

#include <ATen/ATen.h>

namespace razor::kd {

void KlDivergenceOptions::validate(const ConfigView& cfg) const {
  check_positive(cfg, "tau", tau);
  check_reduction(cfg, reduction, {"batchmean", "sum", "mean"});
}

KlDivergence::KlDivergence(const BuildContext&, const Options& options)
    : KdLoss("kl_divergence", kStudentTeacher, options.loss_weight),
      tau_(options.tau),
      reduction_(to_reduction(options.reduction)),
      teacher_detach_(options.teacher_detach) {}

at::Tensor KlDivergence::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 2, -1, "[N, C] or [N, C, ...] (softmax over dim 1)");
  const at::Tensor t = teacher_detach_ ? args[1].detach() : args[1];
  const at::Tensor terms = kl_terms(at::log_softmax(args[0] / tau_, 1), at::softmax(t / tau_, 1));
  return reduce(terms, reduction_) * (tau_ * tau_);
}

}  // namespace razor::kd
