#include "channel_wise_divergence.h"

#include <ATen/ATen.h>

namespace razor::kd {

void ChannelWiseDivergenceOptions::validate(const ConfigView& cfg) const { check_positive(cfg, "tau", tau); }

ChannelWiseDivergence::ChannelWiseDivergence(const BuildContext&, const Options& options)
    : KdLoss("channel_wise_divergence", kStudentTeacher, options.loss_weight), tau_(options.tau) {}

at::Tensor ChannelWiseDivergence::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 4, 4, kMaps);
  const std::int64_t n = args[0].size(0), c = args[0].size(1), hw = args[0].size(2) * args[0].size(3);
  const at::Tensor s = args[0].reshape({n * c, hw}) / tau_, t = args[1].reshape({n * c, hw}) / tau_;
  const at::Tensor kl = kl_terms(at::log_softmax(s, 1), at::softmax(t, 1)).sum();
  return kl * (tau_ * tau_) / static_cast<double>(n * c);
}

}  // namespace razor::kd
