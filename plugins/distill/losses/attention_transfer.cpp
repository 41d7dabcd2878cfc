#include "attention_transfer.h"

#include <ATen/ATen.h>

namespace razor::kd {

AttentionTransferLoss::AttentionTransferLoss(const BuildContext&, const Options& options)
    : KdLoss("attention_transfer", kStudentTeacher, options.loss_weight) {}

at::Tensor AttentionTransferLoss::compute(const std::vector<at::Tensor>& args) {
  const at::Tensor &s = args[0], &t = args[1];
  require_rank(s, "preds_S", 3, -1, "[N, C, H, W] (or [N, C, L]) feature maps");
  require_rank(t, "preds_T", 3, -1, "[N, C, H, W] (or [N, C, L]) feature maps");
  std::vector<std::int64_t> not_channels{0};
  for (std::int64_t d = 2; d < s.dim(); ++d) not_channels.push_back(d);
  require_same_dims(s, t, not_channels, "batch or spatial size (channels may differ)");
  // Attention map: the channel mean of x^2, flattened and L2-normalised per sample.
  const auto attention = [](const at::Tensor& x) { return l2_normalize(x.pow(2).mean(1).reshape({x.size(0), -1}), 1); };
  return (attention(s) - attention(t)).pow(2).mean();
}

}  // namespace razor::kd
