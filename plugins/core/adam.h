#pragma once
// optimizer/adam and optimizer/adamw: Adam with L2 weight decay, and with decoupled weight decay.
#include "razor/context.h"
#include "razor/optimizer.h"
#include "razor/options.h"
#include "sgd.h"

namespace razor::core {

struct AdamOptions : Options<AdamOptions>, OptimizerCommon {
  RAZOR_OPTION(std::vector<double>, betas, "coefficients of the running averages of the gradient and its square",
               {0.9, 0.999})
      .check([](const std::vector<double>& b) { return b.size() == 2; }, "expected two numbers, e.g. [0.9, 0.999]");
  RAZOR_OPTION(double, eps, "added to the denominator for numerical stability", 1e-8).positive();
};

class Adam final : public Optimizer {
 public:
  using Options = AdamOptions;
  Adam(const BuildContext& ctx, const Options& options) : Adam(options, false) {}
  Adam(const Options& options, bool decoupled) : o_(options), decoupled_(decoupled) {}
  std::unique_ptr<torch::optim::Optimizer> create(const std::vector<at::Tensor>& parameters) const override;
  double lr() const override { return o_.lr; }

 private:
  Options o_;
  bool decoupled_;  // AdamW
};

/// Adam with decoupled weight decay.
class AdamW final : public Optimizer {
 public:
  using Options = AdamOptions;
  AdamW(const BuildContext&, const Options& options) : adam_(options, true) {}
  std::unique_ptr<torch::optim::Optimizer> create(const std::vector<at::Tensor>& parameters) const override {
    return adam_.create(parameters);
  }
  double lr() const override { return adam_.lr(); }

 private:
  Adam adam_;
};

}  // namespace razor::core
