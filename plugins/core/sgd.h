#pragma once
// optimizer/sgd: stochastic gradient descent with momentum (optionally Nesterov) and L2 weight decay.
#include "razor/context.h"
#include "razor/optimizer.h"
#include "razor/options.h"

namespace razor::core {

/// What every optimizer of the core family takes.
struct OptimizerCommon {
  RAZOR_OPTION(double, lr, "base learning rate", 0.1).positive();
  RAZOR_OPTION(double, weight_decay, "L2 penalty (decoupled for adamw)", 0.0005).non_negative();
};

struct SgdOptions : Options<SgdOptions>, OptimizerCommon {
  RAZOR_OPTION(double, momentum, "momentum factor (0: plain SGD)", 0.9).non_negative();
  RAZOR_OPTION(bool, nesterov, "Nesterov momentum", false);
  void validate(const ConfigView& cfg) const;
};

class Sgd final : public Optimizer {
 public:
  using Options = SgdOptions;
  Sgd(const BuildContext& ctx, const Options& options);
  std::unique_ptr<torch::optim::Optimizer> create(const std::vector<at::Tensor>& parameters) const override;
  double lr() const override { return o_.lr; }

 private:
  Options o_;
};

}  // namespace razor::core
