#include "logit_losses.h"

#include <ATen/ATen.h>

namespace razor::kd {
namespace {

const char* const kLogits = "[N, C] logits";

}  // namespace

// ---- kl_divergence

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

// ---- dkd

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

// ---- wsld

void WsldOptions::validate(const ConfigView& cfg) const { check_positive(cfg, "tau", tau); }

WsldLoss::WsldLoss(const BuildContext&, const Options& options)
    : KdLoss("wsld", kWithLabels, options.loss_weight), tau_(options.tau) {}

at::Tensor WsldLoss::compute(const std::vector<at::Tensor>& args) {
  const at::Tensor &s = args[0], &t = args[1], &labels = args[2];
  require_pair(s, t, 2, 2, kLogits);
  require_labels(labels, s);
  const at::Tensor soft_ce = -(at::softmax(t / tau_, 1) * at::log_softmax(s / tau_, 1)).sum(1);
  // Hard-label cross-entropies at temperature 1, without gradient: they only weight the samples.
  const at::Tensor index = labels.unsqueeze(1);
  const at::Tensor ce_s = -at::log_softmax(s.detach(), 1).gather(1, index).squeeze(1);
  const at::Tensor ce_t = -at::log_softmax(t.detach(), 1).gather(1, index).squeeze(1);
  const at::Tensor weight = 1.0 - at::exp(-(ce_s / (ce_t + 1e-7)).clamp_min(0.0));
  return (weight * soft_ce).mean() * (tau_ * tau_);
}

// ---- dist

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

// ---- kd_soft_ce

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
