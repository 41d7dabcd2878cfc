#include "logit_losses.h"

#include <ATen/ATen.h>

namespace razor::kd {
namespace {

const char* const kLogits = "[N, C] logits";

}  // namespace

// ---- kl_divergence

KlDivergence::KlDivergence(const BuildContext& ctx)
    : KdLoss(ctx, "kl_divergence", kStudentTeacher),
      tau_(read_tau(ctx.config())),
      reduction_(read_reduction(ctx.config(), {"batchmean", "sum", "mean"})),
      teacher_detach_(ctx.config().get<bool>("teacher_detach")) {}

at::Tensor KlDivergence::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 2, -1, "[N, C] or [N, C, ...] (softmax over dim 1)");
  const at::Tensor t = teacher_detach_ ? args[1].detach() : args[1];
  const at::Tensor terms = kl_terms(at::log_softmax(args[0] / tau_, 1), at::softmax(t / tau_, 1));
  return reduce(terms, reduction_) * (tau_ * tau_);
}

ComponentInfo KlDivergence::info() {
  return {DistillLoss::kKind,
          "kl_divergence",
          "Hinton KD: tau^2 * KL(softmax(preds_T/tau) || softmax(preds_S/tau)) over dim 1",
          {tau_option(),
           reduction_option("'batchmean'", "'batchmean' (sum / N), 'sum' or 'mean' (sum / number of elements)"),
           teacher_detach_option(), loss_weight_option()},
          &make_component<KlDivergence>};
}

// ---- dkd

DkdLoss::DkdLoss(const BuildContext& ctx)
    : KdLoss(ctx, "dkd", kWithLabels),
      tau_(read_tau(ctx.config())),
      alpha_(read_non_negative(ctx.config(), "alpha")),
      beta_(read_non_negative(ctx.config(), "beta")),
      reduction_(read_reduction(ctx.config(), {"batchmean", "sum", "mean"})) {}

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

ComponentInfo DkdLoss::info() {
  return {DistillLoss::kKind,
          "dkd",
          "Decoupled KD: tau^2 * (alpha * KL of the target/non-target split + beta * KL among non-target classes)",
          {tau_option(),
           {"alpha", "float", "1.0", "weight of the target-class term (TCKD), >= 0"},
           {"beta", "float", "1.0", "weight of the non-target-class term (NCKD), >= 0"},
           reduction_option("'batchmean'", "'batchmean' (sum / N), 'sum' or 'mean', for both terms"),
           loss_weight_option()},
          &make_component<DkdLoss>};
}

// ---- wsld

WsldLoss::WsldLoss(const BuildContext& ctx) : KdLoss(ctx, "wsld", kWithLabels), tau_(read_tau(ctx.config())) {}

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

ComponentInfo WsldLoss::info() {
  return {DistillLoss::kKind,
          "wsld",
          "Weighted soft labels: tau^2 * mean of (1 - exp(-CE_S/CE_T)) * soft cross-entropy",
          {tau_option(), loss_weight_option()},
          &make_component<WsldLoss>};
}

// ---- dist

DistLoss::DistLoss(const BuildContext& ctx)
    : KdLoss(ctx, "dist", kStudentTeacher),
      tau_(read_tau(ctx.config())),
      inter_weight_(read_non_negative(ctx.config(), "inter_loss_weight")),
      intra_weight_(read_non_negative(ctx.config(), "intra_loss_weight")),
      teacher_detach_(ctx.config().get<bool>("teacher_detach")) {}

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

ComponentInfo DistLoss::info() {
  return {DistillLoss::kKind,
          "dist",
          "DIST: tau^2 * (inter * (1 - Pearson per sample) + intra * (1 - Pearson per class)) of the softmaxes",
          {tau_option(),
           {"inter_loss_weight", "float", "1.0", "weight of the inter-class (per sample) relation, >= 0"},
           {"intra_loss_weight", "float", "1.0",
            "weight of the intra-class (per class, across the batch) relation, >= 0"},
           teacher_detach_option(), loss_weight_option()},
          &make_component<DistLoss>};
}

// ---- kd_soft_ce

KdSoftCeLoss::KdSoftCeLoss(const BuildContext& ctx)
    : KdLoss(ctx, "kd_soft_ce", kStudentTeacher),
      tau_(read_tau(ctx.config())),
      reduction_(read_reduction(ctx.config(), {"mean", "sum"})),
      mult_tau_square_(ctx.config().get<bool>("mult_tem_square")) {}

at::Tensor KdSoftCeLoss::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 2, 2, kLogits);
  const at::Tensor per_sample = -(at::softmax(args[1] / tau_, 1) * at::log_softmax(args[0] / tau_, 1)).sum(1);
  const at::Tensor loss = reduce(per_sample, reduction_);
  return mult_tau_square_ ? loss * (tau_ * tau_) : loss;
}

ComponentInfo KdSoftCeLoss::info() {
  return {DistillLoss::kKind,
          "kd_soft_ce",
          "KD as soft-label cross-entropy: -sum softmax(preds_T/tau) * log_softmax(preds_S/tau), per sample",
          {tau_option(), reduction_option("'mean'", "'mean' or 'sum' over the samples"),
           {"mult_tem_square", "bool", "true", "multiply by tau^2"}, loss_weight_option()},
          &make_component<KdSoftCeLoss>};
}

}  // namespace razor::kd
