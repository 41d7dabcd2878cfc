#include "wsld.h"

#include <ATen/ATen.h>

namespace razor::kd {

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

}  // namespace razor::kd
