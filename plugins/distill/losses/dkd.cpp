#include "dkd.h"

#include <ATen/ATen.h>

namespace razor::kd {

void DkdOptions::validate(const ConfigView& cfg) const {
  check_positive(cfg, "tau", tau);
  check_non_negative(cfg, "alpha", alpha);
  check_non_negative(cfg, "beta", beta);
  check_reduction(cfg, reduction, {"batchmean", "sum", "mean"});
}

DkdLoss::DkdLoss(const BuildContext&, const Options& options)
    : KdLoss("dkd", kWithLabels, options.loss_weight),
      tau_(options.tau),
      alpha_(options.alpha),
      beta_(options.beta),
      reduction_(to_reduction(options.reduction)) {}

at::Tensor DkdLoss::compute(const std::vector<at::Tensor>& args) {
  const at::Tensor &s = args[0], &t = args[1], &labels = args[2];
  require_pair(s, t, 2, 2, kLogits);
  require_labels(labels, s);
  const at::Tensor gt = at::zeros_like(s).scatter_(1, labels.unsqueeze(1), 1.0);  // 1 at the target class
  const at::Tensor rest = 1.0 - gt;
  const double scale = tau_ * tau_;
  // TCKD: the binary distribution (target, all others).
  const auto binary = [&](const at::Tensor& p) {
    return at::cat({(p * gt).sum(1, true), (p * rest).sum(1, true)}, 1);
  };
  const at::Tensor tckd =
      reduce(kl_terms(at::log(binary(at::softmax(s / tau_, 1))), binary(at::softmax(t / tau_, 1))), reduction_);
  // NCKD: the distribution among the non-target classes (the target's logit pushed to -1000).
  const at::Tensor nckd = reduce(
      kl_terms(at::log_softmax(s / tau_ - 1000.0 * gt, 1), at::softmax(t / tau_ - 1000.0 * gt, 1)), reduction_);
  return (alpha_ * tckd + beta_ * nckd) * scale;
}

}  // namespace razor::kd
