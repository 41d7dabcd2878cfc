#pragma once
// distill_loss/channel_wise_divergence (docs/kd-losses.md).
#include "kd_loss.h"

namespace razor::kd {

struct ChannelWiseDivergenceOptions : Options<ChannelWiseDivergenceOptions> {
  RAZOR_KD_TAU_OPTION;
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
  void validate(const ConfigView& cfg) const;
};

/// Per channel, softmax over the H*W positions; tau^2 * sum KL(p_T || p_S) / (N * C).
class ChannelWiseDivergence final : public KdLoss {
 public:
  using Options = ChannelWiseDivergenceOptions;
  ChannelWiseDivergence(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  double tau_;
};

}  // namespace razor::kd
