#pragma once
// distill_loss/l2 (docs/kd-losses.md).
#include "kd_loss.h"

namespace razor::kd {

struct L2Options : Options<L2Options> {
  RAZOR_OPTION(bool, normalize, "L2-normalise each sample's flattened features first", true);
  RAZOR_OPTION(double, mult, "scale of the normalised features, > 0 (with normalize)", 1.0);
  RAZOR_OPTION(bool, div_element, "divide by the number of elements instead of N", false);
  RAZOR_OPTION(bool, dist, "return the Euclidean distance (square root of the sum), no division", false);
  RAZOR_KD_LOSS_WEIGHT_OPTION(1.0);
  void validate(const ConfigView& cfg) const;
};

/// Sum of squared differences (optionally of per-sample L2-normalised features) / N, / numel, or its sqrt.
class L2Loss final : public KdLoss {
 public:
  using Options = L2Options;
  L2Loss(const BuildContext& ctx, const Options& options);

 private:
  at::Tensor compute(const std::vector<at::Tensor>& args) override;
  bool normalize_, div_element_, dist_;
  double mult_;
};

}  // namespace razor::kd
